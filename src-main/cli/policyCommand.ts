// `omnipalm policy check …`: asks the policy enforcer what it would decide, without acting
// and without charging the rate limits. Exit 0 whatever the decision; exit 2 on bad input.
import { loadCachedConfig } from '../config/configCache.js';
import { OPERATIONS, type Operation } from '../config/operations.js';
import { createPolicyEnforcer } from '../policy/index.js';
import type { PolicyOperation } from '../policy/types.js';
import {
  type CliIO,
  EXIT_OK,
  loadConfigModule,
  parseCommandArgs,
  UsageError,
} from './cliSupport.js';

export const POLICY_HELP = `Usage: omnipalm policy check --op OP [options] [--json]

Prints what the policy would decide (allow, ask or deny), why, the risk and the rule.
Nothing is run and no rate limit is charged.

  --op OP          one of: ${OPERATIONS.join(', ')}
  --path P         a path (repeat for several)          read, write, delete, list
  --command C      a shell command line                 execute_shell, deploy
  --cwd D          working folder (default: current)    read, write, delete, list, execute_shell, deploy
  --to ADDR        a recipient (repeat for several)     send_email
  --url U          a URL                                http_request, browser
  --method M       HTTP method (default GET)            http_request
  --server NAME    an MCP server (integrations.mcp)     mcp_call
  --tool T         the server's tool name               mcp_call
  --tainted        untrusted content is in the task (email, web page, command output)
  --json           {"decision","reason","risk","rule"} (+ "classification" for a command)

Example: omnipalm policy check --op delete --path ~/projects/old.log`;

const APPLIES: Record<string, readonly Operation[]> = {
  path: ['read', 'write', 'delete', 'list'],
  command: ['execute_shell', 'deploy'],
  cwd: ['read', 'write', 'delete', 'list', 'execute_shell', 'deploy'],
  to: ['send_email'],
  url: ['http_request', 'browser'],
  method: ['http_request'],
  server: ['mcp_call'],
  tool: ['mcp_call'],
};

const REQUIRED: Partial<Record<Operation, string>> = {
  read: 'path',
  write: 'path',
  delete: 'path',
  list: 'path',
  execute_shell: 'command',
  deploy: 'command',
  send_email: 'to',
  http_request: 'url',
  browser: 'url',
  mcp_call: 'server',
};

export async function runPolicyCommand(args: string[], io: CliIO, home: string): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    io.stdout(POLICY_HELP);
    return EXIT_OK;
  }
  if (subcommand !== 'check')
    throw new UsageError(`policy: unknown command "${subcommand}" (expected: check)`);
  const { values } = parseCommandArgs(
    'policy check',
    rest,
    {
      op: { type: 'string' },
      path: { type: 'string', multiple: true },
      command: { type: 'string' },
      cwd: { type: 'string' },
      to: { type: 'string', multiple: true },
      url: { type: 'string' },
      method: { type: 'string' },
      server: { type: 'string' },
      tool: { type: 'string' },
      tainted: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    0,
  );
  if (values.help) {
    io.stdout(POLICY_HELP);
    return EXIT_OK;
  }
  const op = values.op as Operation | undefined;
  if (!op)
    throw new UsageError('policy check: --op is required (e.g. --op read --path ~/projects/a.txt)');
  if (!OPERATIONS.includes(op)) {
    throw new UsageError(
      `policy check: unknown operation "${op}" (expected one of: ${OPERATIONS.join(', ')})`,
    );
  }
  for (const [option, operations] of Object.entries(APPLIES)) {
    if (values[option as keyof typeof values] !== undefined && !operations.includes(op)) {
      throw new UsageError(
        `policy check: --${option} does not apply to --op ${op} (it goes with ${operations.join(', ')})`,
      );
    }
  }
  const required = REQUIRED[op]!;
  if (values[required as keyof typeof values] === undefined) {
    throw new UsageError(`policy check: --op ${op} needs --${required}`);
  }
  if (op === 'mcp_call' && values.tool === undefined) {
    throw new UsageError(
      'policy check: --op mcp_call needs --tool (the tool name as the server lists it)',
    );
  }
  const cwd = values.cwd ?? process.cwd();
  const operation: PolicyOperation =
    op === 'mcp_call'
      ? { op, server: values.server!, tool: values.tool! }
      : op === 'execute_shell' || op === 'deploy'
        ? { op, command: values.command!, cwd }
        : op === 'send_email'
          ? { op, recipients: values.to! }
          : op === 'http_request'
            ? { op, method: values.method ?? 'GET', url: values.url! }
            : op === 'browser'
              ? { op, url: values.url! }
              : { op, paths: values.path!, cwd };

  // The cache answers only for the exact bytes of config.yaml a full load validated; anything
  // else (no entry, an edited file, an invalid one) is the full load, with its errors.
  const config =
    loadCachedConfig(home)?.config ?? new (await loadConfigModule()).ConfigStore(home).load();
  const { enforcer, close } = await createPolicyEnforcer({
    config,
    omnipalmHome: home,
    judgesShell: op === 'execute_shell' || op === 'deploy',
  });
  try {
    const decision = enforcer.decide(operation, { dryRun: true, tainted: values.tainted === true });
    if (values.json) {
      const { decision: verdict, reason, risk, rule, shell } = decision;
      // For a shell command, how it was read: programs, operations, and each part only known
      // when it runs, with whether the sandbox bounds it (else it is why the command asks).
      io.stdout(
        JSON.stringify({
          decision: verdict,
          reason,
          risk,
          rule,
          ...(shell ? { classification: shell } : {}),
        }),
      );
    } else {
      io.stdout(
        `${decision.decision} (risk ${decision.risk}, rule ${decision.rule}): ${decision.reason}`,
      );
      for (const detail of decision.details ?? []) io.stdout(`  ${detail}`);
    }
  } finally {
    close();
  }
  return EXIT_OK;
}
