// `omnipalm start [--headless]`. The headless server arrives with the headless issue; until
// then `start --headless` prints the status of the core it would serve, and says so.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigStore, type OmniPalmConfig } from '../config/index.js';
import { assertNotRoot, type CliIO, EXIT_OK, parseCommandArgs } from './cliSupport.js';
import { ELECTRON_INSTALL_FIX, findElectronBinary } from './electronBinary.js';
import { VERSION } from './version.js';

export const START_HELP = `Usage: omnipalm start [--headless] [--allow-root]

Starts OmniPalm: the desktop app where the Electron binary is installed, otherwise (or with
--headless) the headless mode. Refuses to run as root unless --allow-root or
OMNIPALM_ALLOW_ROOT=1 is given.`;

export function statusLines(
  config: OmniPalmConfig,
  configFile: string,
  fileExists: boolean,
): string[] {
  const on = (value: boolean) => (value ? 'on' : 'off');
  const { integrations, security } = config;
  return [
    `OmniPalm ${VERSION}`,
    `config: ${configFile}${fileExists ? '' : ' (not created yet: defaults apply)'}`,
    `capabilities: filesystem ${on(integrations.filesystem.enabled)}, terminal ${on(integrations.terminal.enabled)}, network ${on(integrations.network.enabled)}, browser ${on(integrations.browser.enabled)}`,
    `read-only: ${security.read_only ? 'yes' : 'no'}; confirmations: ${security.require_confirmation ? security.confirm_operations.join(', ') || 'none' : 'off'}`,
    `allowed paths: ${security.allowed_paths.join(', ') || 'none'}; blocked: ${security.blocked_paths.join(', ') || 'none'}`,
  ];
}

export async function runStartCommand(args: string[], io: CliIO, home: string): Promise<number> {
  const { values } = parseCommandArgs(
    'start',
    args,
    {
      headless: { type: 'boolean' },
      'allow-root': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    0,
  );
  if (values.help) {
    io.stdout(START_HELP);
    return EXIT_OK;
  }
  assertNotRoot(io, values['allow-root']);
  const store = new ConfigStore(home);
  const config = store.load();

  if (!values.headless) {
    const electron = findElectronBinary();
    const builtMain = path.resolve(import.meta.dirname, '../../out/main/main.js');
    if (electron.installed && fs.existsSync(builtMain)) {
      const child = spawn(electron.detail, [path.resolve(import.meta.dirname, '../..')], {
        stdio: 'inherit',
        env: { ...io.env, OMNIPALM_HOME: home },
      });
      return await new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    }
    io.stdout(
      electron.installed
        ? 'The desktop app is not built (run npm run build); starting headless mode instead.'
        : `Electron binary not installed (${ELECTRON_INSTALL_FIX} for the desktop app); starting headless mode instead.`,
    );
  }
  for (const line of statusLines(config, store.file, store.exists())) io.stdout(line);
  io.stdout('headless server: not available in this version yet — nothing is listening.');
  return EXIT_OK;
}
