// Where OmniPalm's keys come from, in order: the environment (OMNIPALM_LLM_API_KEY, …), the OS
// keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows), then a
// user-configured command (`secrets.<name>.command`, e.g. `pass show omnipalm/llm`). Keys are
// never written to a plaintext file: without a keychain the only places are env and command.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Entry as KeyringEntry, EntryOptions } from '@napi-rs/keyring';
import {
  isFixedSecretName,
  isSecretName,
  SECRET_NAMES,
  type FixedSecretName,
  type McpSecretName,
  type OmniPalmConfig,
  type SecretName,
} from '../config/schema.js';
import { scrubEnvironment } from './environment.js';
import { SecretMetadata } from './secretMetadata.js';

export const KEYCHAIN_SERVICE = 'omnipalm';

// Pinned to the Secret Service: keyring's other Linux store (the kernel keyutils) forgets
// keys at logout and would make "saved in your keychain" silently untrue.
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

export const SECRET_ENV_VARS: Record<FixedSecretName, string> = {
  llm_api_key: 'OMNIPALM_LLM_API_KEY',
  jira_token: 'OMNIPALM_JIRA_TOKEN',
  slack_token: 'OMNIPALM_SLACK_TOKEN',
  smtp_password: 'OMNIPALM_SMTP_PASSWORD',
};

/** The variable that gives a secret through the environment: mcp_github_token → OMNIPALM_MCP_GITHUB_TOKEN. */
export function secretEnvVar(name: SecretName): string {
  return isFixedSecretName(name) ? SECRET_ENV_VARS[name] : `OMNIPALM_${name.toUpperCase()}`;
}

export type SecretSource = 'env' | 'keychain' | 'command';
export type ResolvedSecret = { value: string; source: SecretSource } | { source: 'missing' };

export interface ListedSecret<Name extends SecretName = SecretName> {
  name: Name;
  /** Where resolve() would take it from (a command is not run to find out). */
  source: SecretSource | 'missing';
  /** Whether the keychain holds it (it may still be shadowed by the environment). */
  inKeychain: boolean;
  /** When it was last set through OmniPalm. */
  lastSet: Date | undefined;
}

export type KeychainStatus = { available: true } | { available: false; reason: string };

/** The OS keychain, one entry per secret name. */
export interface Keychain {
  /** Whether the keychain answers; must not hang (a wedged D-Bus blocks native calls). */
  probe(): KeychainStatus;
  get(name: SecretName): string | undefined;
  set(name: SecretName, value: string): void;
  /** True when there was an entry to delete. */
  delete(name: SecretName): boolean;
}

/** Receives every secret value the store hands out, so logs can redact it (the Redactor). */
export interface SecretRegistry {
  registerSecret(name: string, value: string): void;
}

export type SecretCommands = OmniPalmConfig['secrets'];

export interface SecretStoreOptions {
  /** $OMNIPALM_HOME: last-set times live in state/keys.json there. */
  home: string;
  env: NodeJS.ProcessEnv;
  commands?: SecretCommands;
  redactor?: SecretRegistry;
  keychain?: Keychain;
}

export { isSecretName };

export function assertSecretName(name: string): SecretName {
  if (isSecretName(name)) return name;
  throw new Error(
    `unknown key "${name}" (known keys: ${SECRET_NAMES.join(', ')}, or mcp_NAME for an MCP server: lowercase letters, digits, _)`,
  );
}

const PROBE_TIMEOUT_MS = 5000;

/** The real keychain through @napi-rs/keyring, probed in a child process with a timeout. */
export class OsKeychain implements Keychain {
  private status: KeychainStatus | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs = PROBE_TIMEOUT_MS,
  ) {}

  probe(): KeychainStatus {
    this.status ??= this.runProbe();
    return this.status;
  }

  private runProbe(): KeychainStatus {
    let keyringModule: string;
    try {
      keyringModule = createRequire(import.meta.url).resolve('@napi-rs/keyring');
    } catch {
      return { available: false, reason: '@napi-rs/keyring is not installed (run npm install)' };
    }
    // A child process, because a native keychain call can block forever on a wedged D-Bus
    // and no omnipalm command may hang on that.
    const script = `
      const { Entry } = require(${JSON.stringify(keyringModule)});
      new Entry(${JSON.stringify(KEYCHAIN_SERVICE)}, 'availability-probe', ${JSON.stringify(ENTRY_OPTIONS)}).getPassword();`;
    const probe = spawnSync(process.execPath, ['-e', script], {
      timeout: this.timeoutMs,
      encoding: 'utf8',
      // The probe needs D-Bus, not OmniPalm's keys.
      env: scrubEnvironment(this.env, []),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (probe.status === 0) return { available: true };
    const reason = probe.error
      ? `no answer within ${this.timeoutMs / 1000} s`
      : (/Error: (.*)/.exec(probe.stderr)?.[1] ?? 'it did not answer');
    return { available: false, reason };
  }

  private entry(name: SecretName): KeyringEntry {
    const { Entry } = createRequire(import.meta.url)('@napi-rs/keyring') as {
      Entry: typeof KeyringEntry;
    };
    return new Entry(KEYCHAIN_SERVICE, name, ENTRY_OPTIONS);
  }

  get(name: SecretName): string | undefined {
    return this.entry(name).getPassword() ?? undefined;
  }

  set(name: SecretName, value: string): void {
    this.entry(name).setPassword(value);
  }

  delete(name: SecretName): boolean {
    return this.entry(name).deletePassword();
  }
}

/** Drops the one line ending a program prints after its answer. */
function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

export class SecretStore {
  private readonly env: NodeJS.ProcessEnv;
  private readonly commands: SecretCommands;
  private readonly redactor: SecretRegistry | undefined;
  private readonly keychain: Keychain;
  private readonly metadata: SecretMetadata;

  constructor(options: SecretStoreOptions) {
    this.env = options.env;
    this.commands = options.commands ?? {};
    this.redactor = options.redactor;
    this.keychain = options.keychain ?? new OsKeychain(options.env);
    this.metadata = new SecretMetadata(options.home);
  }

  /** Whether the OS keychain can be used, and if not why. */
  available(): KeychainStatus {
    return this.keychain.probe();
  }

  resolve(name: string): ResolvedSecret {
    const key = assertSecretName(name);
    const fromEnv = this.env[secretEnvVar(key)];
    if (fromEnv) return this.handOut(key, fromEnv, 'env');
    if (this.keychain.probe().available) {
      const fromKeychain = this.keychain.get(key);
      if (fromKeychain) return this.handOut(key, fromKeychain, 'keychain');
    }
    const command = this.commandFor(key);
    if (command) return this.handOut(key, this.runCommand(key, command), 'command');
    return { source: 'missing' };
  }

  set(name: string, value: string): void {
    const key = assertSecretName(name);
    if (value.length === 0) throw new Error(`${key}: refusing to store an empty value`);
    const status = this.keychain.probe();
    if (!status.available) {
      throw new Error(
        `the OS keychain is unavailable (${status.reason}), so ${key} cannot be saved; ` +
          `set the environment variable ${secretEnvVar(key)} instead ` +
          '(OmniPalm never writes keys to a plaintext file)',
      );
    }
    // Registered first: a value the redactor refuses is not stored either.
    this.redactor?.registerSecret(key, value);
    this.keychain.set(key, value);
    this.metadata.recordSet(key);
  }

  /** Removes the key from the keychain; false when it held none. */
  delete(name: string): boolean {
    const key = assertSecretName(name);
    const status = this.keychain.probe();
    if (!status.available) {
      throw new Error(`the OS keychain is unavailable (${status.reason}): nothing to delete`);
    }
    const existed = this.keychain.delete(key);
    this.metadata.recordDelete(key);
    return existed;
  }

  /** OmniPalm's own keys: where each would come from and when it was last set — never values. */
  list(): ListedSecret<FixedSecretName>[] {
    return SECRET_NAMES.map((name) => this.describe(name));
  }

  /**
   * The MCP servers' keys (mcp_*): those set through OmniPalm, given in the environment, or
   * named in `configured` (the config's env/headers), sorted. The keychain cannot be asked
   * what it holds, so a key stored by other means and named nowhere is not listed.
   */
  listMcp(configured: Iterable<string> = []): ListedSecret<McpSecretName>[] {
    const names = new Set<string>([...configured, ...Object.keys(this.metadata.read())]);
    for (const variable of Object.keys(this.env)) {
      if (variable.startsWith('OMNIPALM_MCP_')) names.add(variable.slice(9).toLowerCase());
    }
    return [...names]
      .filter((name): name is McpSecretName => !isFixedSecretName(name) && isSecretName(name))
      .sort()
      .map((name) => this.describe(name));
  }

  private describe<Name extends SecretName>(name: Name): ListedSecret<Name> {
    const keychainUp = this.keychain.probe().available;
    const inKeychain = keychainUp && this.keychain.get(name) !== undefined;
    const source: ListedSecret['source'] = this.env[secretEnvVar(name)]
      ? 'env'
      : inKeychain
        ? 'keychain'
        : this.commandFor(name)
          ? 'command'
          : 'missing';
    return { name, source, inKeychain, lastSet: this.metadata.read()[name] };
  }

  /** secrets.NAME.command is configurable for OmniPalm's own keys only (so far). */
  private commandFor(name: SecretName): SecretCommands[FixedSecretName] {
    return isFixedSecretName(name) ? this.commands[name] : undefined;
  }

  private handOut(name: SecretName, value: string, source: SecretSource): ResolvedSecret {
    this.redactor?.registerSecret(name, value);
    return { value, source };
  }

  /**
   * Runs the configured command without a shell (its argv goes to the program as is, so no
   * quoting in config.yaml can turn into command injection). Errors never quote its output:
   * a half-printed secret must not end up in a terminal or a log.
   */
  private runCommand(
    name: SecretName,
    command: NonNullable<SecretCommands[FixedSecretName]>,
  ): string {
    const [program, ...args] = command.command as [string, ...string[]];
    const where = `secrets.${name}.command`;
    const shown = path.basename(program);
    const result = spawnSync(program, args, {
      shell: false,
      timeout: command.timeout_seconds * 1000,
      encoding: 'utf8',
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    if (result.error) {
      const code = (result.error as NodeJS.ErrnoException).code;
      if (code === 'ETIMEDOUT' || result.signal === 'SIGTERM') {
        throw new Error(
          `${where}: "${shown}" did not finish within ${command.timeout_seconds} s (raise timeout_seconds or fix the command)`,
        );
      }
      throw new Error(`${where}: could not run "${program}" (${code ?? result.error.message})`);
    }
    if (result.status !== 0) {
      const how =
        result.status === null
          ? `was killed by ${result.signal}`
          : `exited with code ${result.status}`;
      throw new Error(
        `${where}: "${shown}" ${how} (its output is not shown, as it may hold the secret)`,
      );
    }
    const value = withoutFinalNewline(result.stdout);
    if (value.length === 0) throw new Error(`${where}: "${shown}" printed nothing`);
    return value;
  }
}
