// `omnipalm keys set|list|delete` — keys go into the OS keychain, from stdin or a hidden prompt,
// never from the command line, and are never printed back.
import { ConfigStore } from '../config/index.js';
import { SECRET_NAMES, type OmniPalmConfig } from '../config/schema.js';
import {
  assertSecretName,
  SECRET_ENV_VARS,
  secretEnvVar,
  SecretStore,
  type ListedSecret,
} from '../secrets/secretStore.js';
import { assertNotRoot, type CliIO, EXIT_OK, parseCommandArgs, UsageError } from './cliSupport.js';

const NAMES = `${SECRET_NAMES.join(', ')}, or mcp_NAME for an MCP server`;

export const KEYS_HELP = `Usage: omnipalm keys <command>

Commands:
  set NAME        store a key in the OS keychain (from stdin, or a hidden prompt)
  list [--json]   where each key comes from and when it was last set (never values)
  delete NAME     remove a key from the OS keychain

Keys: ${NAMES}.
Lookup order: environment (${Object.values(SECRET_ENV_VARS).join(', ')},
OMNIPALM_MCP_NAME for mcp_name), then the OS keychain, then secrets.NAME.command in config.yaml.
Example: pass show omnipalm/llm | omnipalm keys set llm_api_key`;

const SUBCOMMAND_HELP: Record<string, string> = {
  set: `Usage: omnipalm keys set NAME [--allow-root]

Stores NAME in the OS keychain. The value is read from stdin when it is piped (one trailing
newline is dropped), or from a prompt that does not echo. Never pass it as an argument: it
would land in your shell history and in ps. Keys: ${NAMES}.`,
  list: `Usage: omnipalm keys list [--json]

For each key: its source (env, keychain, command or missing) and when it was last set with
omnipalm keys set. Values are never shown.`,
  delete: `Usage: omnipalm keys delete NAME [--allow-root]

Removes NAME from the OS keychain. Keys: ${NAMES}.`,
};

/** Reads the value to store: all of a piped stdin, or a hidden prompt on a terminal. */
export type ReadSecretInput = (prompt: string) => Promise<string>;

async function readPipedStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A prompt with echo off: raw mode, so the terminal never shows (or scrolls back) the key. */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new UsageError('keys set: cancelled'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.setRawMode(true);
    // The prompt only once echo is off, so nothing typed after it can appear on screen.
    process.stderr.write(prompt);
    input.resume();
    input.on('data', onData);
  });
}

const readSecretInput: ReadSecretInput = async (prompt) =>
  process.stdin.isTTY ? readHidden(prompt) : (await readPipedStdin()).replace(/\r?\n$/, '');

/** The secret names the configured MCP servers use, so `keys list` shows the missing ones. */
function mcpSecretNames(config: OmniPalmConfig): string[] {
  return Object.values(config.integrations.mcp.servers).flatMap((server) => [
    ...Object.values(server.env),
    ...Object.values(server.headers),
  ]);
}

function formatList(entries: ListedSecret[]): string[] {
  return entries.map((entry) => {
    const when = entry.lastSet ? `last set ${entry.lastSet.toISOString()}` : 'never set here';
    const shadow =
      entry.source === 'env' && entry.inKeychain ? ' (the keychain also holds one)' : '';
    return `${entry.name.padEnd(14)} ${entry.source.padEnd(8)} ${when}${shadow}`;
  });
}

export async function runKeysCommand(
  args: string[],
  io: CliIO,
  home: string,
  readSecret: ReadSecretInput = readSecretInput,
): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    io.stdout(KEYS_HELP);
    return EXIT_OK;
  }
  const help = SUBCOMMAND_HELP[subcommand];
  if (!help) {
    throw new UsageError(
      `keys: unknown command "${subcommand}" (expected one of: ${Object.keys(SUBCOMMAND_HELP).join(', ')})`,
    );
  }
  const command = `keys ${subcommand}`;
  if (subcommand === 'set') {
    // Checked before parsing, and without quoting the arguments, so that a key typed on the
    // command line is at least never echoed back (even one that looks like an option).
    const others = rest.filter((arg) => !['--allow-root', '--help', '-h'].includes(arg));
    if (others.length > 1) {
      throw new UsageError(
        'keys set: never pass a key on the command line (it lands in shell history and ps); ' +
          'pipe it: … | omnipalm keys set NAME',
      );
    }
    if (others[0]?.startsWith('-')) {
      throw new UsageError('keys set: unknown option (see omnipalm keys set --help)');
    }
  }
  const { values, positionals } = parseCommandArgs(
    command,
    rest,
    {
      json: { type: 'boolean' },
      'allow-root': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    subcommand === 'list' ? 0 : 1,
  );
  if (values.help) {
    io.stdout(help);
    return EXIT_OK;
  }
  const config = new ConfigStore(home).load();
  const store = new SecretStore({ home, env: io.env, commands: config.secrets });
  if (subcommand === 'list') {
    const status = store.available();
    const entries = [...store.list(), ...store.listMcp(mcpSecretNames(config))];
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            keychain: status,
            keys: entries.map((entry) => ({ ...entry, lastSet: entry.lastSet?.toISOString() })),
          },
          null,
          2,
        ),
      );
    } else {
      if (!status.available) {
        io.stdout(
          `keychain unavailable: ${status.reason} (keys come from environment variables and commands only)`,
        );
      }
      for (const line of formatList(entries)) io.stdout(line);
    }
    return EXIT_OK;
  }
  const rawName = positionals[0];
  if (!rawName) throw new UsageError(`${command}: missing NAME (one of: ${NAMES})`);
  let name;
  try {
    name = assertSecretName(rawName);
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
  assertNotRoot(io, values['allow-root']);
  if (subcommand === 'delete') {
    const existed = store.delete(name);
    io.stdout(existed ? `${name} deleted from the OS keychain` : `${name} was not in the keychain`);
    return EXIT_OK;
  }
  const status = store.available();
  if (!status.available) {
    // Said before asking for the key, so nobody types it in for nothing.
    throw new Error(
      `the OS keychain is unavailable (${status.reason}); set ${secretEnvVar(name)} in the environment instead (OmniPalm never writes keys to a plaintext file)`,
    );
  }
  const value = await readSecret(`Value for ${name} (input hidden): `);
  if (value.length === 0) throw new UsageError(`${command}: the value is empty; nothing saved`);
  store.set(name, value);
  io.stdout(`${name} saved to the OS keychain`);
  if (io.env[secretEnvVar(name)]) {
    io.stderr(`note: ${secretEnvVar(name)} is set in this environment and wins over the keychain`);
  }
  return EXIT_OK;
}
