// fs.delete: glob expansion, the guide's preview, the fingerprint check and the refusals.
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  fsDelete,
  PolicyDeniedError,
  TargetsChangedError,
} from '../../../../src-main/tools/fs/index.js';
import { makeSandbox, type Sandbox } from './fixture.js';

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});

function logTree(): void {
  for (let index = 0; index < 23; index++) box.file(`app/logs/run-${index}.log`);
  box.file('app/logs/keep.txt');
  box.file('app/logs/old/archive.log');
  for (let index = 0; index < 3; index++) box.file(`other/logs/job-${index}.log`);
}

describe('fs.delete preview', () => {
  it('counts the targets and groups them by folder, as the guide shows', () => {
    logTree();
    const plan = fsDelete.plan(
      { paths: ['~/work/app/logs/**/*.log', 'other/logs/*.log'] },
      box.context,
    );
    expect(plan.summary).toBe('This will delete 27 files. Proceed?');
    expect(plan.preview).toEqual([
      '~/work/app/logs/*.log (23 files)',
      '~/work/app/logs/old/*.log (1 file)',
      '~/work/other/logs/*.log (3 files)',
    ]);
    expect(plan.targets).toHaveLength(27);
    expect(plan.fullList).toContain('~/work/app/logs/old/archive.log');
    expect(plan.fullList).not.toContain('~/work/app/logs/keep.txt');
    // Delete is in confirm_operations by default: the caller must ask.
    expect(plan.decision.decision).toBe('ask');
  });

  it('says "1 file" for a single match and nothing for none', () => {
    box.file('one.log');
    expect(fsDelete.plan({ paths: ['*.log'] }, box.context)).toMatchObject({
      summary: 'This will delete 1 file. Proceed?',
      preview: ['~/work/*.log (1 file)'],
    });
    expect(fsDelete.plan({ paths: ['*.tmp'] }, box.context).targets).toEqual([]);
  });

  it('has a fingerprint that depends only on the set of targets', () => {
    logTree();
    const first = fsDelete.plan({ paths: ['other/logs/*.log'] }, box.context);
    const again = fsDelete.plan({ paths: ['other/logs/job-*.log'] }, box.context);
    expect(again.fingerprint).toBe(first.fingerprint);
    box.file('other/logs/job-9.log');
    expect(fsDelete.plan({ paths: ['other/logs/*.log'] }, box.context).fingerprint).not.toBe(
      first.fingerprint,
    );
  });
});

describe('fs.delete execution', () => {
  it('deletes exactly the previewed files', async () => {
    logTree();
    const plan = fsDelete.plan({ paths: ['app/logs/*.log'] }, box.context);
    const result = await fsDelete.execute(plan, box.context);
    expect(result.deleted).toHaveLength(23);
    expect(result.failed).toEqual([]);
    expect(fs.readdirSync(path.join(box.work, 'app/logs')).sort()).toEqual(['keep.txt', 'old']);
  });

  it('with olderThanDays, deletes only files last modified before then', async () => {
    const old = box.file('logs/old.log');
    box.file('logs/new.log');
    const tenDaysAgo = new Date(Date.now() - 10 * 24 * 60 * 60 * 1000);
    fs.utimesSync(old, tenDaysAgo, tenDaysAgo);
    const plan = fsDelete.plan({ paths: ['logs/*.log'], olderThanDays: 7 }, box.context);
    expect(plan.targets).toEqual([old]);
    await fsDelete.execute(plan, box.context);
    expect(fs.readdirSync(path.join(box.work, 'logs'))).toEqual(['new.log']);
  });

  it('throws TargetsChangedError with the new plan, deleting nothing, when a match appears', async () => {
    box.file('logs/a.log');
    const plan = fsDelete.plan({ paths: ['logs/*.log'] }, box.context);
    box.file('logs/b.log');
    const failure = await fsDelete.execute(plan, box.context).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetsChangedError);
    expect((failure as TargetsChangedError).plan.summary).toBe(
      'This will delete 2 files. Proceed?',
    );
    expect(fs.readdirSync(path.join(box.work, 'logs')).sort()).toEqual(['a.log', 'b.log']);
    const confirmed = (failure as TargetsChangedError).plan;
    expect((await fsDelete.execute(confirmed, box.context)).deleted).toHaveLength(2);
  });

  it('removes a symlink matched by a glob, never the file it points to', async () => {
    const target = box.file('data/important.txt', 'keep me');
    const link = path.join(box.work, 'logs/link.log');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(target, link);
    const plan = fsDelete.plan({ paths: ['logs/*.log'] }, box.context);
    expect(plan.targets).toEqual([link]);
    await fsDelete.execute(plan, box.context);
    expect(fs.existsSync(link)).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
  });

  it('never matches inside blocked folders, and denies naming them', async () => {
    box.file('a.log');
    fs.writeFileSync(path.join(box.secrets, 'b.log'), 'secret');
    const plan = fsDelete.plan({ paths: ['**/*.log'] }, box.context);
    expect(plan.targets).toEqual([path.join(box.work, 'a.log')]);
    for (const paths of [[path.join(box.secrets, '*.log')], ['~/.ssh/id_rsa'], [box.secrets]]) {
      const denied = fsDelete.plan({ paths }, box.context);
      expect(denied.decision).toMatchObject({ decision: 'deny', rule: 'security.blocked_paths' });
      await expect(fsDelete.execute(denied, box.context)).rejects.toThrow(PolicyDeniedError);
    }
    expect(fs.existsSync(path.join(box.ssh, 'id_rsa'))).toBe(true);
  });

  it('denies a glob that starts outside the allowed paths', () => {
    fs.writeFileSync(path.join(box.home, 'x.log'), 'x');
    expect(fsDelete.plan({ paths: ['~/*.log'] }, box.context).decision).toMatchObject({
      decision: 'deny',
      rule: 'security.allowed_paths',
    });
  });

  it('refuses a folder containing a blocked path, the allowed root, home and /', () => {
    for (const target of [box.work, '.', '~', '/']) {
      expect(fsDelete.plan({ paths: [target] }, box.context).decision.decision).toBe('deny');
    }
  });

  it('refuses an allowed folder itself even when nothing blocked is inside it', async () => {
    fs.writeFileSync(path.join(box.home, 'docs', 'a.txt'), 'a');
    const plan = fsDelete.plan({ paths: ['~/docs'] }, box.context);
    expect(plan.decision.decision).toBe('deny');
    expect(plan.decision.reason).toContain('an allowed folder itself');
    await expect(fsDelete.execute(plan, box.context)).rejects.toThrow(PolicyDeniedError);
    expect(fs.existsSync(path.join(box.home, 'docs', 'a.txt'))).toBe(true);
  });

  it('"dir/**" deletes every file below, at any depth, and keeps the folders', async () => {
    box.file('tmp/a.txt');
    box.file('tmp/deep/b.txt');
    const plan = fsDelete.plan({ paths: ['tmp/**'] }, box.context);
    expect(plan.summary).toBe('This will delete 2 files. Proceed?');
    await fsDelete.execute(plan, box.context);
    expect(fs.readdirSync(path.join(box.work, 'tmp'))).toEqual(['deep']);
  });

  it('deletes a folder named explicitly, links inside it as links', async () => {
    const outside = path.join(box.home, 'outside.txt');
    fs.writeFileSync(outside, 'stays');
    box.file('build/out.js');
    fs.symlinkSync(outside, path.join(box.work, 'build/link'));
    const plan = fsDelete.plan({ paths: ['build'] }, box.context);
    expect(plan.summary).toBe('This will delete 1 folder (with everything in them). Proceed?');
    await fsDelete.execute(plan, box.context);
    expect(fs.existsSync(path.join(box.work, 'build'))).toBe(false);
    expect(fs.readFileSync(outside, 'utf8')).toBe('stays');
  });
});
