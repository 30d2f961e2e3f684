// Temporary folders under the system temp folder, removed after each test file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];
afterAll(() => {
  for (const folder of created.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

export function makeTempFolder(prefix = 'omnipalm-test-'): string {
  const folder = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  created.push(folder);
  return folder;
}

/** A fresh OMNIPALM_HOME that does not exist yet, inside a temp folder. */
export function makeTempHome(): string {
  return path.join(makeTempFolder(), 'omnipalm-home');
}
