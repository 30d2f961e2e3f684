// bin/omnipalm.mjs runs the bundle in out/cli; where it has not been built (a fresh checkout
// installed with --ignore-scripts), it says so in one line with the fix, and never falls back
// to compiling TypeScript.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from '../../support/runCli.js';
import { makeTempFolder } from '../../support/tempFolders.js';

describe('bin/omnipalm.mjs', () => {
  it('says in one line that the CLI is not built, and how to build it', () => {
    const checkout = makeTempFolder('omnipalm-unbuilt-');
    fs.mkdirSync(path.join(checkout, 'bin'));
    fs.copyFileSync(BIN, path.join(checkout, 'bin', 'omnipalm.mjs'));
    const result = spawnSync(
      process.execPath,
      [path.join(checkout, 'bin', 'omnipalm.mjs'), '--version'],
      {
        encoding: 'utf8',
        cwd: checkout,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `omnipalm: the CLI is not built (${path.join(checkout, 'out', 'cli', 'omnipalm.mjs')} is missing): run npm run build in ${checkout}\n`,
    );
  });

  it('imports no TypeScript loader', () => {
    const source = fs.readFileSync(path.join(REPO_ROOT, 'bin', 'omnipalm.mjs'), 'utf8');
    expect(source).not.toMatch(/tsx|ts-node|\.ts['"]/);
  });
});
