// What every command shares: its I/O (injected so tests can run commands in-process too),
// argument parsing that answers bad input with one line and exit 2, and the root guard.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** The effective user id, or undefined where the OS has none (Windows). */
  uid: number | undefined;
}

/** Bad input: the command prints one line naming the problem and the fix, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * zod compiles a fast parser per object schema on first use (new Function); a command that
 * parses its config once and exits pays for the compiling and never gains from it.
 */
export async function useInterpretedZod(): Promise<void> {
  (await import('zod')).z.config({ jitless: true });
}

/**
 * The config module (yaml, zod, the schema: ~110 ms to load), for a command whose answer the
 * config cache (config/configCache.ts) could not give.
 */
export async function loadConfigModule(): Promise<typeof import('../config/index.js')> {
  await useInterpretedZod();
  return import('../config/index.js');
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(
  command: string,
  args: string[],
  options: O,
  maxPositionals: number,
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0]!.replace(/\.$/, '');
    throw new UsageError(`${command}: ${reason} (see omnipalm ${command} --help)`);
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).join(' ');
    throw new UsageError(
      `${command}: unexpected argument "${extra}" (see omnipalm ${command} --help)`,
    );
  }
  return parsed;
}

export const ROOT_REFUSAL =
  'refusing to run as root: the security guide says "Don\'t run OmniPalm as root/administrator" — ' +
  "the agent acts with your rights, and root's are unlimited. Run it as a normal user " +
  '(e.g. sudo -u omnipalm-user omnipalm start), or pass --allow-root (or set OMNIPALM_ALLOW_ROOT=1) ' +
  'if you accept that risk.';

export function isRootAllowed(io: CliIO, flag: boolean | undefined): boolean {
  return flag === true || io.env.OMNIPALM_ALLOW_ROOT === '1';
}

/** Commands that act refuse to run as root unless the user opted in explicitly. */
export function assertNotRoot(io: CliIO, allowRootFlag: boolean | undefined): void {
  if (io.uid === 0 && !isRootAllowed(io, allowRootFlag)) throw new UsageError(ROOT_REFUSAL);
}
