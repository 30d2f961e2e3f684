// `npm pack` makes a package that installs into an empty prefix and runs there: the bundle
// (out/cli) and the renderer the headless server serves are in it; sources, tests, source
// maps and the electron dependency are not needed. The suite's global setup has just built
// out/cli; packing runs with --ignore-scripts, because prepack's clean rebuild (and the
// renderer build) would pull files from under the tests running beside this one.
//
// The install also runs with --ignore-scripts: compiling better-sqlite3, node-pty and the
// tree-sitter binding from source takes minutes on these machines (3 min 48 s measured), and
// `omnipalm doctor` needs none of them — it loads the keychain addon, which npm delivers
// prebuilt. Dependencies come from the machine's npm cache where it has them.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../../package.json' with { type: 'json' };
import { REPO_ROOT } from '../../support/buildCli.js';
import { makeTempFolder } from '../../support/tempFolders.js';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npmEnv: NodeJS.ProcessEnv = {
  ...process.env,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
};
delete npmEnv.OMNIPALM_HOME;

interface PackedFile {
  path: string;
}

/** What may ship: the launcher, the CLI bundle, the built renderer, and what npm always adds. */
const SHIPPED = [/^bin\/omnipalm\.mjs$/, /^out\/cli\/[\w-]+\.mjs$/, /^out\/renderer\//];
const ALWAYS_ADDED = ['package.json', 'README.md', 'LICENSE', packageJson.main];

describe('npm pack', () => {
  let packed: string[];
  let tarball: string;

  beforeAll(async () => {
    const folder = makeTempFolder('omnipalm-pack-');
    const { stdout } = await run(
      NPM,
      ['pack', '--ignore-scripts', '--json', '--pack-destination', folder],
      { cwd: REPO_ROOT, env: npmEnv, maxBuffer: 16 * 1024 * 1024 },
    );
    const [result] = JSON.parse(stdout) as [{ filename: string; files: PackedFile[] }];
    packed = result.files.map((file) => file.path);
    tarball = path.join(folder, result.filename);
  }, 60_000);

  it('ships the bundle and the renderer, no sources, tests, source maps or test bundle', () => {
    expect(packed).toContain('bin/omnipalm.mjs');
    expect(packed).toContain('out/cli/omnipalm.mjs');
    expect(packageJson.files).toContain('out/renderer/');
    if (fs.existsSync(path.join(REPO_ROOT, 'out', 'renderer', 'index.html'))) {
      expect(packed).toContain('out/renderer/index.html');
    }
    const unexpected = packed.filter(
      (file) => !ALWAYS_ADDED.includes(file) && !SHIPPED.some((pattern) => pattern.test(file)),
    );
    expect(unexpected).toEqual([]);
    expect(packed.filter((file) => file.endsWith('.map') || /(^|\/)\.env/.test(file))).toEqual([]);
  });

  it('installs into an empty prefix and runs omnipalm doctor there', async () => {
    const prefix = makeTempFolder('omnipalm-prefix-');
    await run(
      NPM,
      [
        'install',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--loglevel=error',
        tarball,
      ],
      { cwd: prefix, env: npmEnv, maxBuffer: 16 * 1024 * 1024 },
    );
    const installed = path.join(prefix, 'node_modules');
    // Electron is a dev dependency: the CLI must not need it.
    expect(fs.existsSync(path.join(installed, 'electron'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'omnipalm', 'src-main'))).toBe(false);

    const home = path.join(makeTempFolder('omnipalm-pack-home-'), 'user');
    fs.mkdirSync(home, { mode: 0o700 });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      OMNIPALM_HOME: path.join(home, '.omnipalm'),
    };
    const bin = path.join(installed, '.bin', 'omnipalm');
    const version = await run(bin, ['--version'], { cwd: home, env });
    expect(version.stdout.trim()).toBe(packageJson.version);

    const doctor = await run(bin, ['doctor', '--json'], { cwd: home, env }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    const report = JSON.parse(doctor.stdout) as {
      ok: boolean;
      checks: { name: string; status: string }[];
    };
    const status = Object.fromEntries(report.checks.map((check) => [check.name, check.status]));
    expect(status.config).toBe('ok');
    expect(status.permissions).toBe('ok');
    expect(status.electron).toBe('warn');
    // Exit 1 exactly when some check failed (no sandbox on this machine, say), else 0.
    const failed = report.checks.some((check) => check.status === 'fail');
    expect('code' in doctor ? doctor.code : 0).toBe(failed ? 1 : 0);
  }, 120_000);
});
