// A real gnome-keyring Secret Service on a private D-Bus session bus (DESIGN.md §6), so that
// keychain code is tested against the real thing without touching the user's session.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

export interface PrivateKeyring {
  env: NodeJS.ProcessEnv;
  stop: () => Promise<void>;
}

export function keyringToolsAvailable(): string | undefined {
  for (const tool of ['dbus-daemon', 'gnome-keyring-daemon']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `${tool} is not installed`;
  }
  return undefined;
}

export async function startPrivateKeyring(folder: string): Promise<PrivateKeyring> {
  const home = path.join(folder, 'keyring-home');
  const runtime = path.join(folder, 'keyring-run');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(runtime, { recursive: true, mode: 0o700 });
  // Not OMNIPALM_*: the keyring env is merged into CLI children, whose OMNIPALM_HOME must stay
  // the test's own.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('OMNIPALM_')),
  );
  const base = {
    ...inherited,
    HOME: home,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
  };
  const bus: ChildProcess = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    env: base,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let address = '';
  for await (const chunk of bus.stdout!) {
    address += String(chunk);
    if (address.includes('\n')) break;
  }
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address.trim() };
  const unlock = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    env,
    input: 'test-password',
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (unlock.status !== 0) {
    bus.kill();
    throw new Error(`gnome-keyring-daemon failed: ${unlock.stderr}`);
  }
  return {
    env,
    stop: async () => {
      // gnome-keyring-daemon leaves by itself when its bus goes away.
      const exited = once(bus, 'exit');
      bus.kill();
      await exited;
    },
  };
}
