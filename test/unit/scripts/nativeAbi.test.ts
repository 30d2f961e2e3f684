// The decisions of scripts/nativeAbi.mjs: when `npm test` rebuilds native modules for Node and
// when `npm start` rebuilds them for Electron. Nothing is rebuilt here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ABI_SPECIFIC_MODULES,
  decideForElectron,
  decideForNode,
  isAbiMismatch,
  markerPath,
  readMarker,
  writeMarker,
} from '../../../scripts/nativeAbi.mjs';
import { makeTempFolder } from '../../support/tempFolders.js';

const MISMATCH =
  "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'\n" +
  'was compiled against a different Node.js version using\nNODE_MODULE_VERSION 143. ' +
  'This version of Node.js requires\nNODE_MODULE_VERSION 115.';

describe('decideForNode (before the tests)', () => {
  it('does nothing when the marker says Node and better-sqlite3 loads — the normal case', () => {
    expect(decideForNode({ runtime: 'node', version: '20.20.2' }, { ok: true }).action).toBe(
      'none',
    );
    expect(decideForNode(undefined, { ok: true }).action).toBe('none');
  });

  it('rebuilds for Node when the marker says node_modules was rebuilt for Electron', () => {
    const decision = decideForNode({ runtime: 'electron', version: '40.10.2' }, { ok: true });
    expect(decision).toEqual({
      action: 'rebuild-for-node',
      reason: 'node_modules holds native modules built for Electron 40.10.2',
    });
  });

  it('rebuilds for Node when better-sqlite3 fails with NODE_MODULE_VERSION, marker or not', () => {
    for (const marker of [undefined, { runtime: 'node', version: '18.0.0' }]) {
      expect(decideForNode(marker, { ok: false, error: MISMATCH }).action).toBe('rebuild-for-node');
    }
  });

  it('does not rebuild for a load error a rebuild cannot fix, and says what it was', () => {
    const decision = decideForNode(undefined, {
      ok: false,
      error: "Cannot find module 'better-sqlite3'",
    });
    expect(decision.action).toBe('none');
    expect(decision.reason).toContain("Cannot find module 'better-sqlite3'");
  });
});

describe('decideForElectron (before npm start launches Electron)', () => {
  it('rebuilds when node_modules holds a Node build, or nothing is recorded', () => {
    expect(decideForElectron({ runtime: 'node', version: '20.20.2' }, '40.10.2').action).toBe(
      'rebuild-for-electron',
    );
    expect(decideForElectron(undefined, '40.10.2').action).toBe('rebuild-for-electron');
  });

  it('rebuilds for a different Electron version, not again for the same one', () => {
    expect(decideForElectron({ runtime: 'electron', version: '39.0.0' }, '40.10.2').action).toBe(
      'rebuild-for-electron',
    );
    expect(decideForElectron({ runtime: 'electron', version: '40.10.2' }, '40.10.2').action).toBe(
      'none',
    );
  });
});

describe('the marker file', () => {
  it('round-trips, and a missing or damaged marker reads as none', () => {
    const root = makeTempFolder();
    fs.mkdirSync(path.join(root, 'node_modules'));
    expect(readMarker(root)).toBeUndefined();
    writeMarker(root, 'electron', '40.10.2');
    expect(readMarker(root)).toEqual({ runtime: 'electron', version: '40.10.2' });
    fs.writeFileSync(markerPath(root), 'not json');
    expect(readMarker(root)).toBeUndefined();
  });
});

it('recognises the ABI mismatch message and rebuilds only the V8-API module', () => {
  expect(isAbiMismatch(MISMATCH)).toBe(true);
  expect(isAbiMismatch('libsqlite3.so: cannot open shared object file')).toBe(false);
  expect(isAbiMismatch(undefined)).toBe(false);
  // node-pty, @napi-rs/keyring and tree-sitter-bash use Node-API: one build serves both.
  expect(ABI_SPECIFIC_MODULES).toEqual(['better-sqlite3']);
});
