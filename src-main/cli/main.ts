// The `omnipalm` command: dispatches to one module per command. Bad input exits 2 with one
// line; a command's own failure exits 1. Only what every start needs is imported here: each
// command's module (and with it yaml, zod, SQLite, the keychain, the model SDK…) loads when
// that command runs, so `--version` and `--help` load none of it (test/bench/cli.bench.ts).
import { omnipalmHome } from '../config/home.js';
import {
  type CliIO,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  useInterpretedZod,
} from './cliSupport.js';
import { VERSION } from './version.js';

export const MAIN_HELP = `Usage: omnipalm <command> [options]

Commands:
  audit tail|verify|export            read and check the tamper-evident audit log
  chat [--continue | --session ID]    a conversation in the terminal (/new, /cost, /exit)
  config path|list|get|set|validate   read and change ~/.omnipalm/config.yaml
  doctor [--json]                     check this machine for a safe setup
  keys set|list|delete                keys in the OS keychain (never on the command line)
  mcp list|tools|approve|call         MCP servers: review and pin their tools, call one
  policy check --op OP …              what the policy would decide for an action
  run "PROMPT" [--continue]           run one task here, asking before risky actions
  sessions list|show|rename|delete    the conversations kept in ~/.omnipalm
  start [--headless]                  start the desktop app (or headless mode)

Options:
  --version    print the version
  --help       help for any command: omnipalm <command> --help

Environment: OMNIPALM_HOME (default ~/.omnipalm), OMNIPALM_ALLOW_ROOT=1 (run as root anyway).`;

type Command = (args: string[], io: CliIO, home: string) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  audit: async (args, io, home) =>
    (await import('./auditCommand.js')).runAuditCommand(args, io, home),
  chat: async (args, io, home) => (await import('./chatCommand.js')).runChatCommand(args, io, home),
  config: async (args, io, home) =>
    (await import('./configCommand.js')).runConfigCommand(args, io, home),
  doctor: async (args, io, home) =>
    (await import('./doctorCommand.js')).runDoctorCommand(args, io, home),
  keys: async (args, io, home) => (await import('./keysCommand.js')).runKeysCommand(args, io, home),
  mcp: async (args, io, home) => (await import('./mcpCommand.js')).runMcpCommand(args, io, home),
  policy: async (args, io, home) =>
    (await import('./policyCommand.js')).runPolicyCommand(args, io, home),
  run: async (args, io, home) => (await import('./runCommand.js')).runRunCommand(args, io, home),
  sessions: async (args, io, home) =>
    (await import('./sessionsCommand.js')).runSessionsCommand(args, io, home),
  start: async (args, io, home) =>
    (await import('./startCommand.js')).runStartCommand(args, io, home),
};

/**
 * Commands that parse a few things once and exit (not the agent, not the server) and load the
 * config module as they start. `config` and `policy` load it only when the config cache cannot
 * answer (cliSupport.loadConfigModule), so that `config get` and `policy check` load no zod.
 */
const ONE_SHOT_COMMANDS = new Set(['audit', 'doctor', 'keys']);

/** A config file problem (ConfigError, matched by name so this file need not load yaml/zod). */
function isConfigError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ConfigError';
}

/** Error messages echo user input (a mistyped key, a path, a URL): never a credential. */
async function redactError(message: string): Promise<string> {
  const { Redactor } = await import('../secrets/redactor.js');
  return new Redactor().redact(message);
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(MAIN_HELP);
      return EXIT_OK;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(VERSION);
      return EXIT_OK;
    }
    const run = COMMANDS[command];
    if (!run) {
      throw new UsageError(
        `unknown command "${command}" (expected one of: ${Object.keys(COMMANDS).join(', ')}; see omnipalm --help)`,
      );
    }
    if (ONE_SHOT_COMMANDS.has(command)) await useInterpretedZod();
    return await run(rest, io, omnipalmHome(io.env));
  } catch (error) {
    if (error instanceof UsageError || isConfigError(error)) {
      io.stderr(`omnipalm: ${await redactError(error.message)}`);
      return EXIT_USAGE;
    }
    if (error instanceof Error && error.message.startsWith('OMNIPALM_HOME')) {
      io.stderr(`omnipalm: ${await redactError(error.message)}`);
      return EXIT_USAGE;
    }
    io.stderr(`omnipalm: ${await redactError((error as Error).message ?? String(error))}`);
    return EXIT_FAILED;
  }
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
  };
}
