// `omnipalm doctor`: what stands between this machine and a safe OmniPalm, one line each,
// with the one-line fix.
import fs from 'node:fs';
import { ConfigStore } from '../config/index.js';
import { probeSandbox } from '../policy/sandboxProbe.js';
import { OsKeychain } from '../secrets/secretStore.js';
import { SecretMetadata } from '../secrets/secretMetadata.js';
import { type CliIO, EXIT_FAILED, EXIT_OK, parseCommandArgs } from './cliSupport.js';
import { ELECTRON_INSTALL_FIX, findElectronBinary } from './electronBinary.js';

export const DOCTOR_HELP = `Usage: omnipalm doctor [--json]

Checks: the user OmniPalm runs as (never root), config validity, permissions of
$OMNIPALM_HOME, the sandbox (bubblewrap / Seatbelt), the OS keychain, the age of keys set
with omnipalm keys set (security.key_rotation_days), the Electron binary.
Exit 0 when nothing failed, 1 otherwise (warnings do not fail).`;

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

function checkUser(io: CliIO): DoctorCheck {
  if (io.uid === undefined)
    return { name: 'user', status: 'ok', detail: 'no POSIX user id on this OS' };
  if (io.uid === 0) {
    return {
      name: 'user',
      status: 'warn',
      detail: 'running as root — the guide says never run OmniPalm as root/administrator',
      fix: 'sudo useradd -m omnipalm-user && sudo -u omnipalm-user omnipalm start',
    };
  }
  return { name: 'user', status: 'ok', detail: `running as uid ${io.uid} (not root)` };
}

function checkConfig(store: ConfigStore): DoctorCheck {
  if (!store.exists()) {
    return {
      name: 'config',
      status: 'ok',
      detail: `${store.file} does not exist: the defaults apply`,
    };
  }
  try {
    store.load();
    return { name: 'config', status: 'ok', detail: `${store.file} is valid` };
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    return {
      name: 'config',
      status: 'fail',
      detail: first ?? 'invalid',
      fix: `omnipalm config validate`,
    };
  }
}

function checkPermissions(io: CliIO, home: string, file: string): DoctorCheck {
  if (process.platform === 'win32') {
    return { name: 'permissions', status: 'ok', detail: 'POSIX modes do not apply on Windows' };
  }
  if (!fs.existsSync(home)) {
    return {
      name: 'permissions',
      status: 'ok',
      detail: `${home} does not exist yet (created 0700 on first save)`,
    };
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  const homeStat = fs.statSync(home);
  if (io.uid !== undefined && homeStat.uid !== io.uid) {
    problems.push(`${home} is owned by uid ${homeStat.uid}, not you (uid ${io.uid})`);
    fixes.push(`chown -R $(id -u) ${home}`);
  }
  if ((homeStat.mode & 0o077) !== 0) {
    problems.push(`${home} is mode ${(homeStat.mode & 0o777).toString(8)}, others can reach it`);
    fixes.push(`chmod 700 ${home}`);
  }
  if (fs.existsSync(file)) {
    const fileMode = fs.statSync(file).mode & 0o777;
    if ((fileMode & 0o077) !== 0) {
      problems.push(`${file} is mode ${fileMode.toString(8)}, others can read it`);
      fixes.push(`chmod 600 ${file}`);
    }
  }
  if (problems.length === 0) {
    return { name: 'permissions', status: 'ok', detail: `${home} is private to you (0700)` };
  }
  return {
    name: 'permissions',
    status: 'fail',
    detail: problems.join('; '),
    fix: fixes.join(' && '),
  };
}

function checkSandbox(store: ConfigStore): DoctorCheck {
  let mode = 'auto';
  try {
    mode = store.load().security.sandbox;
  } catch {
    // The config check reports the file; judge the sandbox as with the default.
  }
  if (mode === 'off') {
    return {
      name: 'sandbox',
      status: 'warn',
      detail: 'security.sandbox is off: shell commands run unsandboxed',
      fix: 'omnipalm config set security.sandbox auto',
    };
  }
  const probe = probeSandbox();
  if (probe.available) {
    return {
      name: 'sandbox',
      status: 'ok',
      detail: `${probe.detail}: shell sessions run sandboxed (security.sandbox ${mode})`,
    };
  }
  return {
    name: 'sandbox',
    status: mode === 'required' ? 'fail' : 'warn',
    detail:
      mode === 'required'
        ? `${probe.detail}: security.sandbox is required, so shell commands are refused`
        : `${probe.detail}: shell commands run unsandboxed (security.sandbox auto)`,
    ...(probe.fix ? { fix: probe.fix } : {}),
  };
}

function checkKeychain(io: CliIO): DoctorCheck {
  // The same probe the SecretStore uses: in a child process with a timeout, since a native
  // keychain call on a wedged D-Bus can block forever and doctor must always answer.
  const status = new OsKeychain(io.env).probe();
  if (status.available)
    return { name: 'keychain', status: 'ok', detail: 'the OS keychain answers' };
  const fix =
    process.platform === 'linux'
      ? 'install and unlock a Secret Service (gnome-keyring or KeePassXC) in your desktop session; until then keys come from environment variables only'
      : 'unlock your login keychain; until then keys come from environment variables only';
  return {
    name: 'keychain',
    status: 'warn',
    detail: `the OS keychain is not available: ${status.reason}`,
    fix,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Keys older than security.key_rotation_days: a leaked key that is never rotated stays
 * useful to whoever holds it. Reads only the last-set times (state/keys.json), never the
 * keychain, so this check cannot hang or reveal anything.
 */
function checkKeyRotation(store: ConfigStore, home: string, now = new Date()): DoctorCheck {
  let days = 90;
  try {
    days = store.load().security.key_rotation_days;
  } catch {
    // An invalid config is the config check's failure; judge keys by the default meanwhile.
  }
  const times = Object.entries(new SecretMetadata(home).read());
  const stale = times.filter(([, time]) => now.getTime() - time.getTime() > days * DAY_MS);
  if (stale.length === 0) {
    return {
      name: 'keys',
      status: 'ok',
      detail:
        times.length === 0
          ? 'no keys set with omnipalm keys set'
          : `${times.length} key(s) set within the last ${days} days`,
    };
  }
  return {
    name: 'keys',
    status: 'warn',
    detail: stale
      .map(([name, time]) => {
        const age = Math.floor((now.getTime() - time.getTime()) / DAY_MS);
        return `${name} was last set ${age} days ago (rotate every ${days} days)`;
      })
      .join('; '),
    fix: stale.map(([name]) => `omnipalm keys set ${name}`).join(' && '),
  };
}

function checkElectron(): DoctorCheck {
  const status = findElectronBinary();
  return status.installed
    ? { name: 'electron', status: 'ok', detail: `Electron binary at ${status.detail}` }
    : {
        name: 'electron',
        status: 'warn',
        detail: `${status.detail}: the desktop app cannot start (headless mode and the CLI work)`,
        fix: ELECTRON_INSTALL_FIX,
      };
}

export function runDoctorChecks(io: CliIO, home: string): DoctorCheck[] {
  const store = new ConfigStore(home);
  return [
    checkUser(io),
    checkConfig(store),
    checkPermissions(io, home, store.file),
    checkSandbox(store),
    checkKeychain(io),
    checkKeyRotation(store, home),
    checkElectron(),
  ];
}

export function runDoctorCommand(args: string[], io: CliIO, home: string): number {
  const { values } = parseCommandArgs(
    'doctor',
    args,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    0,
  );
  if (values.help) {
    io.stdout(DOCTOR_HELP);
    return EXIT_OK;
  }
  const checks = runDoctorChecks(io, home);
  const failed = checks.some((check) => check.status === 'fail');
  if (values.json) {
    io.stdout(JSON.stringify({ ok: !failed, checks }, null, 2));
  } else {
    for (const check of checks) {
      io.stdout(`${check.status.padEnd(5)} ${check.name.padEnd(12)} ${check.detail}`);
      if (check.fix) io.stdout(`${' '.repeat(19)}fix: ${check.fix}`);
    }
  }
  return failed ? EXIT_FAILED : EXIT_OK;
}
