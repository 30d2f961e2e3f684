// The `omnipalm` command: dispatches to one module per command. Bad input exits 2 with one
// line; a command's own failure exits 1.
import { ConfigError, omnipalmHome } from '../config/index.js';
import { type CliIO, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './cliSupport.js';
import { runAuditCommand } from './auditCommand.js';
import { runConfigCommand } from './configCommand.js';
import { runDoctorCommand } from './doctorCommand.js';
import { runKeysCommand } from './keysCommand.js';
import { runPolicyCommand } from './policyCommand.js';
import { runStartCommand } from './startCommand.js';
import { Redactor } from '../secrets/redactor.js';
import { VERSION } from './version.js';

export const MAIN_HELP = `Usage: omnipalm <command> [options]

Commands:
  audit tail|verify|export            read and check the tamper-evident audit log
  config path|list|get|set|validate   read and change ~/.omnipalm/config.yaml
  doctor [--json]                     check this machine for a safe setup
  keys set|list|delete                keys in the OS keychain (never on the command line)
  policy check --op OP …              what the policy would decide for an action
  run "PROMPT"                        run one task here, asking before risky actions
  start [--headless]                  start the desktop app (or headless mode)

Options:
  --version    print the version
  --help       help for any command: omnipalm <command> --help

Environment: OMNIPALM_HOME (default ~/.omnipalm), OMNIPALM_ALLOW_ROOT=1 (run as root anyway).`;

const COMMANDS: Record<
  string,
  (args: string[], io: CliIO, home: string) => number | Promise<number>
> = {
  audit: runAuditCommand,
  config: runConfigCommand,
  doctor: runDoctorCommand,
  keys: runKeysCommand,
  policy: runPolicyCommand,
  // Loaded on use: the agent pulls in the model SDK, the tools and their dependencies.
  run: async (args, io, home) => (await import('./runCommand.js')).runRunCommand(args, io, home),
  start: runStartCommand,
};

/** Error messages echo user input (a mistyped key, a path, a URL): never a credential. */
function redactError(message: string): string {
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
    return await run(rest, io, omnipalmHome(io.env));
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(`omnipalm: ${redactError(error.message)}`);
      return EXIT_USAGE;
    }
    if (error instanceof Error && error.message.startsWith('OMNIPALM_HOME')) {
      io.stderr(`omnipalm: ${redactError(error.message)}`);
      return EXIT_USAGE;
    }
    io.stderr(`omnipalm: ${redactError((error as Error).message ?? String(error))}`);
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
