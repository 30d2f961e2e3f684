// Whether an OS sandbox can run here. The policy needs it for read_only shells (allowed only
// when the sandbox can make the whole file system read-only), doctor reports it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { scrubEnvironment } from '../secrets/environment.js';

export interface SandboxProbe {
  available: boolean;
  detail: string;
  fix?: string;
}

export function probeSandbox(platform: NodeJS.Platform = process.platform): SandboxProbe {
  if (platform === 'darwin') {
    return fs.existsSync('/usr/bin/sandbox-exec')
      ? { available: true, detail: 'Seatbelt (sandbox-exec) is available' }
      : {
          available: false,
          detail: 'sandbox-exec not found',
          fix: 'reinstall the macOS command line tools',
        };
  }
  if (platform !== 'linux') {
    return {
      available: false,
      detail: `no OS sandbox for ${platform}: shell commands would run unsandboxed`,
      fix: 'run OmniPalm in Docker or a VM (see the security guide)',
    };
  }
  // Actually start one: a bwrap binary that cannot create namespaces is no sandbox.
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-net', '--', 'true'], {
    timeout: 5000,
    encoding: 'utf8',
    env: scrubEnvironment(process.env, []),
  });
  if (probe.error) {
    return {
      available: false,
      detail: 'bubblewrap (bwrap) is not installed: shell commands would run unsandboxed',
      fix: 'sudo apt-get install bubblewrap',
    };
  }
  if (probe.status !== 0) {
    return {
      available: false,
      detail: `bwrap is installed but cannot create a sandbox: ${probe.stderr.trim().split('\n')[0]}`,
      fix: 'enable unprivileged user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1',
    };
  }
  return { available: true, detail: 'bubblewrap works' };
}
