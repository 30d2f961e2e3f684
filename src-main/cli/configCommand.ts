// `omnipalm config path|list|get|set|validate` — the guide's own commands, e.g.
// `omnipalm config set security.confirm_operations '["delete", "send_email", "execute_shell", "deploy"]'`.
import path from 'node:path';
import { loadCachedConfig, valueAt } from '../config/configCache.js';
import type { ConfigStore } from '../config/index.js';
import { Redactor } from '../secrets/redactor.js';
import {
  type CliIO,
  EXIT_OK,
  loadConfigModule,
  parseCommandArgs,
  UsageError,
} from './cliSupport.js';

export const CONFIG_HELP = `Usage: omnipalm config <command>

Commands:
  path                 print the config file's path
  list [--json]        print the effective configuration (file values over defaults)
  get KEY [--json]     print one value (YAML scalar, or JSON for lists and maps)
  set KEY VALUE        set one value and save, keeping your comments and key order
  validate [FILE]      check a config file (default: the one in $OMNIPALM_HOME)

Examples (from the security guide):
  omnipalm config set security.require_confirmation true
  omnipalm config set security.confirm_operations '["delete", "send_email", "execute_shell", "deploy"]'
  omnipalm config set integrations.browser.enabled false
  omnipalm config set security.read_only true`;

const SUBCOMMAND_HELP: Record<string, string> = {
  path: 'Usage: omnipalm config path\n\nPrints the path of config.yaml ($OMNIPALM_HOME/config.yaml, default ~/.omnipalm).',
  list: "Usage: omnipalm config list [--json]\n\nPrints the effective configuration: the file's values over the defaults.",
  get: 'Usage: omnipalm config get KEY [--json]\n\nPrints one value, e.g. omnipalm config get security.allowed_paths.\nScalars print as YAML; lists and maps as JSON.',
  set: 'Usage: omnipalm config set KEY VALUE\n\nSets one value. VALUE is YAML/JSON: true, 25, \'["delete", "deploy"]\'.\nThe whole file is validated before it is saved; on any problem nothing changes.',
  validate:
    'Usage: omnipalm config validate [FILE]\n\nChecks a config file strictly (unknown keys, types, ranges). Exit 0 when valid, 2 otherwise.',
};

/**
 * Every saved change is audited as [config], with the value before and after. The audit log
 * loads here, not at start-up: `config get` and `list` write nothing.
 */
async function recordConfigChange(
  store: ConfigStore,
  home: string,
  key: string,
  previous: unknown,
  value: unknown,
): Promise<void> {
  const [{ AuditLog }, { auditSettingsFromConfig }] = await Promise.all([
    import('../audit/auditLog.js'),
    import('../audit/auditSettings.js'),
  ]);
  const log = new AuditLog({
    settings: auditSettingsFromConfig(store.load(), home),
    redact: (text) => new Redactor().redact(text),
  });
  try {
    log.append({
      kind: 'config',
      name: key,
      fields: {
        old: JSON.stringify(previous ?? null),
        new: JSON.stringify(value ?? null),
        by: 'user',
        via: 'cli',
      },
    });
  } finally {
    log.close();
  }
}

async function toYaml(value: unknown): Promise<string> {
  return (await import('./yamlText.js')).toYamlText(value);
}

async function formatValue(value: unknown, json: boolean): Promise<string> {
  if (json || (value !== null && typeof value === 'object')) return JSON.stringify(value);
  if (value === undefined) return '';
  // What YAML prints for these, without loading yaml at all.
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
    return String(value);
  }
  return toYaml(value);
}

export async function runConfigCommand(args: string[], io: CliIO, home: string): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    io.stdout(CONFIG_HELP);
    return EXIT_OK;
  }
  const help = SUBCOMMAND_HELP[subcommand];
  if (!help) {
    throw new UsageError(
      `config: unknown command "${subcommand}" (expected one of: ${Object.keys(SUBCOMMAND_HELP).join(', ')})`,
    );
  }
  const name = `config ${subcommand}`;
  // `config set security.stop_on_cost_limit -1` must reach validation as a value, not be
  // mistaken for an option (validation then explains why -1 is wrong).
  const negative =
    subcommand === 'set' && !rest.includes('--') ? rest.findIndex((arg) => /^-\d/.test(arg)) : -1;
  const commandArgs =
    negative < 0 ? rest : [...rest.slice(0, negative), '--', ...rest.slice(negative)];
  const { values, positionals } = parseCommandArgs(
    name,
    commandArgs,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    subcommand === 'set' ? 2 : 1,
  );
  if (values.help) {
    io.stdout(help);
    return EXIT_OK;
  }
  if (subcommand === 'get') {
    const key = positionals[0];
    if (!key)
      throw new UsageError('config get: missing KEY (e.g. omnipalm config get security.read_only)');
    // A key the cache does not list (a typo) takes the full load, which names the right one.
    const cached = loadCachedConfig(home);
    if (cached?.keys.has(key)) {
      io.stdout(await formatValue(valueAt(cached.config, key), values.json === true));
      return EXIT_OK;
    }
  }
  const { ConfigStore, validateConfigFile } = await loadConfigModule();
  const store = new ConfigStore(home);
  switch (subcommand) {
    case 'path':
      io.stdout(store.file);
      return EXIT_OK;
    case 'list': {
      const config = store.load();
      io.stdout(values.json ? JSON.stringify(config, null, 2) : await toYaml(config));
      return EXIT_OK;
    }
    case 'get': {
      // KEY was checked above, before the cache was asked.
      io.stdout(await formatValue(store.get(positionals[0]!), values.json === true));
      return EXIT_OK;
    }
    case 'set': {
      const [key, value] = positionals;
      if (!key || value === undefined) {
        throw new UsageError(
          'config set: expected KEY VALUE (e.g. omnipalm config set security.read_only true)',
        );
      }
      const result = store.set(key, value);
      io.stdout(`${key} = ${await formatValue(result.value, false)} (saved to ${store.file})`);
      await recordConfigChange(store, home, key, result.previous, result.value);
      return EXIT_OK;
    }
    case 'validate': {
      const file = positionals[0] ? path.resolve(positionals[0]) : store.file;
      if (!positionals[0] && !store.exists()) {
        io.stdout(`${file} does not exist: the defaults apply, and they are valid`);
        return EXIT_OK;
      }
      validateConfigFile(file);
      io.stdout(`${file} is valid`);
      return EXIT_OK;
    }
  }
  return EXIT_OK;
}
