// `omnipalm start [--headless]`: the desktop app where Electron is installed, otherwise (or
// with --headless) the headless server on loopback, until SIGTERM/SIGINT.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigStore, type OmniPalmConfig } from '../config/index.js';
import { assertNotRoot, type CliIO, EXIT_OK, parseCommandArgs, UsageError } from './cliSupport.js';
import { ELECTRON_INSTALL_FIX, findElectronBinary } from './electronBinary.js';
import { VERSION } from './version.js';

export const DEFAULT_PORT = 7780;

export const START_HELP = `Usage: omnipalm start [--headless] [--port N] [--host H --allow-remote] [--allow-root]

Starts OmniPalm: the desktop app where the Electron binary is installed, otherwise (or with
--headless) the headless mode: the web UI and the REST API on http://127.0.0.1:N/ (and ::1),
every call authenticated with the token in $OMNIPALM_HOME/api-token. It runs until Ctrl-C or
SIGTERM, then finishes in order (no new calls, tasks stopped, audit log and database closed).

Options:
  --port N          the port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H          listen on H instead of loopback — needs --allow-remote; only for a
                    container whose port is published on the host's loopback (see Docker)
  --allow-remote    accept a non-loopback --host (prints a warning)
  --allow-root      run as root anyway (or OMNIPALM_ALLOW_ROOT=1)`;

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
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-remote': { type: 'boolean' },
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
  const port = parsePort(values.port);
  if (
    values.host !== undefined &&
    !isLoopbackHost(values.host) &&
    values['allow-remote'] !== true
  ) {
    throw new UsageError(
      `start: --host ${values.host} would expose the API beyond this machine; add --allow-remote if that is what you want (only behind a port published on loopback, as in the Docker setup)`,
    );
  }
  const store = new ConfigStore(home);
  const config = store.load();

  if (!values.headless) {
    const electron = findElectronBinary();
    const builtMain = path.resolve(import.meta.dirname, '../../out/main/main.js');
    if (electron.installed && fs.existsSync(builtMain)) {
      // Root got past assertNotRoot only with the explicit opt-in, but Chromium runs as root
      // only with its renderer sandbox off: the desktop app never does that.
      if (io.uid === 0) {
        throw new UsageError(
          'start: the desktop app does not run as root (Chromium would need its renderer sandbox turned off); run it as a normal user, or use omnipalm start --headless --allow-root',
        );
      }
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
  // Handlers first: a SIGTERM that arrives while the server starts still shuts down in order.
  let stop: (() => Promise<void>) | undefined;
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    io.stdout(`${signal}: shutting down (no new calls; stopping tasks; closing the audit log)…`);
    void stop?.();
  };
  const onTerm = () => shutdown('SIGTERM');
  const onInt = () => shutdown('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    const { startHeadless } = await import('../server/headless.js');
    const running = await startHeadless({
      home,
      env: io.env,
      version: VERSION,
      port,
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(values['allow-remote'] ? { allowRemote: true } : {}),
      staticDir: path.resolve(import.meta.dirname, '../../out/renderer'),
      say: (line) => io.stdout(line),
    });
    stop = running.stop;
    if (signalled) void running.stop();
    await running.stopped;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
  io.stdout('stopped.');
  return EXIT_OK;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`start: --port expects a number from 0 to 65535, got "${value}"`);
  }
  return port;
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
