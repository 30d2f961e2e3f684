// security.sandbox modes where it matters: `required` with no sandbox refuses (naming the
// fix), `auto` falls back with a warning, `off` warns; doctor reports what runs here. "No
// sandbox" is simulated by a PATH without bwrap: the probe starts bwrap from PATH.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  resetSandboxRuntime,
  SandboxUnavailableError,
  ShellSandbox,
} from '../../src-main/tools/shell/sandbox.js';
import { ShellSession } from '../../src-main/tools/shell/shellSession.js';
import { runCli } from '../support/runCli.js';
import { makeTempFolder } from '../support/tempFolders.js';
import { makeSandboxTree, settingsFor } from './sandboxFixture.js';

const realPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = realPath;
});
afterAll(async () => {
  await resetSandboxRuntime();
});

/** A PATH with nothing on it: bwrap cannot be found. */
function withoutBwrap(): string {
  return makeTempFolder('omnipalm-empty-path-');
}

interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

async function doctorSandboxCheck(
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
): Promise<DoctorCheck> {
  const home = path.join(makeTempFolder('omnipalm-doctor-'), 'home');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.writeFileSync(path.join(home, 'config.yaml'), stringify(config), { mode: 0o600 });
  const result = await runCli(['doctor', '--json'], {
    home,
    env: { OMNIPALM_ALLOW_ROOT: '1', ...env },
  });
  const report = JSON.parse(result.stdout) as { checks: DoctorCheck[] };
  const check = report.checks.find(({ name }) => name === 'sandbox');
  if (!check) throw new Error(`no sandbox check in doctor's report:\n${result.stdout}`);
  return check;
}

describe('security.sandbox modes', () => {
  it('required, no bwrap: SandboxUnavailableError naming the fix', async () => {
    const tree = makeSandboxTree();
    process.env.PATH = withoutBwrap();
    const preparing = ShellSandbox.prepare(settingsFor(tree, { mode: 'required' }));
    await expect(preparing).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(preparing).rejects.toThrow(
      /security\.sandbox is "required" .*bubblewrap \(bwrap\) is not installed.*fix: sudo apt-get install bubblewrap/,
    );
  });

  it('auto, no bwrap: unsandboxed, with a warning naming the fix', async () => {
    const tree = makeSandboxTree();
    process.env.PATH = withoutBwrap();
    const sandbox = await ShellSandbox.prepare(settingsFor(tree, { mode: 'auto' }));
    expect(sandbox.status).toMatchObject({ sandboxed: false, mode: 'auto' });
    expect(sandbox.status.warning).toMatch(/unsandboxed.*fix: sudo apt-get install bubblewrap/);
    expect(sandbox.launcher()).toBeUndefined();
  });

  it('off: unsandboxed with a warning, even where bwrap works', async () => {
    const tree = makeSandboxTree();
    const sandbox = await ShellSandbox.prepare(settingsFor(tree, { mode: 'off' }));
    expect(sandbox.status).toMatchObject({ sandboxed: false, mode: 'off' });
    expect(sandbox.status.warning).toMatch(/switched off.*security\.sandbox auto/);
    expect(sandbox.launcher()).toBeUndefined();
    // Unsandboxed means exactly that: the blocked file is readable to the shell.
    const session = new ShellSession({ cwd: tree.work });
    try {
      const result = await session.exec(`cat ${tree.secretFile}`, { timeoutMs: 10_000 });
      expect(result).toMatchObject({ exitCode: 0, violations: [] });
      expect(result.output).toContain(tree.secret);
    } finally {
      session.dispose();
    }
  });

  it('required, bwrap works: sandboxed, the status says what is writable and reachable', async () => {
    const tree = makeSandboxTree();
    const sandbox = await ShellSandbox.prepare(settingsFor(tree, { mode: 'required' }));
    expect(sandbox.status).toMatchObject({ sandboxed: true, mode: 'required' });
    expect(sandbox.status.warning).toBeUndefined();
    expect(sandbox.status.detail).toContain(`writable: ${tree.work}`);
    expect(sandbox.status.detail).toContain('network: none');
    expect(sandbox.launcher()).toMatchObject({ sandboxed: true, blockedPaths: [tree.blocked] });
  });
});

describe('omnipalm doctor --json: the sandbox check', { timeout: 30_000 }, () => {
  it('ok here (bubblewrap works)', async () => {
    const check = await doctorSandboxCheck({ security: { sandbox: 'required' } });
    expect(check).toMatchObject({ status: 'ok' });
    expect(check.detail).toMatch(/bubblewrap works.*sandboxed \(security\.sandbox required\)/);
  });

  it('fail when required and bwrap is missing, naming the fix', async () => {
    const check = await doctorSandboxCheck(
      { security: { sandbox: 'required' } },
      { PATH: withoutBwrap() },
    );
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/required, so shell commands are refused/);
    expect(check.fix).toMatch(/apt-get install bubblewrap/);
  });

  it('warn when off', async () => {
    const check = await doctorSandboxCheck({ security: { sandbox: 'off' } });
    expect(check).toMatchObject({
      status: 'warn',
      fix: 'omnipalm config set security.sandbox auto',
    });
  });
});
