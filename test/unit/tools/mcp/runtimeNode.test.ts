// Which Node runs a stdio MCP server's sandbox: this process's own under Node; in the packaged
// Electron app (which must not run its binary as Node) the first executable node on PATH.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeNode } from '../../../../src-main/tools/mcp/mcpSandbox.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

describe('runtimeNode', () => {
  it('is this process under plain Node', () => {
    expect(runtimeNode({ ...process.versions }, '')).toBe(process.execPath);
  });

  it('is the first executable node on PATH under Electron, and none when there is none', () => {
    const root = makeTempFolder('omnipalm-runtime-node-');
    const [empty, notExecutable, good] = ['a', 'b', 'c'].map((name) => {
      const folder = path.join(root, name);
      fs.mkdirSync(folder);
      return folder;
    }) as [string, string, string];
    fs.writeFileSync(path.join(notExecutable, 'node'), '', { mode: 0o644 });
    fs.writeFileSync(path.join(good, 'node'), '#!/bin/sh\n', { mode: 0o755 });
    const electron = { ...process.versions, electron: '39.0.0' };
    expect(runtimeNode(electron, [empty, notExecutable, good].join(path.delimiter))).toBe(
      path.join(good, 'node'),
    );
    expect(runtimeNode(electron, [empty, notExecutable].join(path.delimiter))).toBeUndefined();
  });
});
