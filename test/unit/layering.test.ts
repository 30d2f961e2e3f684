// The layering rules of STYLE.md, checked on the source itself (ESLint enforces them too):
// only the Electron entry points import 'electron'; the renderer never reaches into main;
// the contract imports zod only.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const ELECTRON_ALLOWED = [
  /^src-main\/main\.ts$/,
  /^src-main\/electron\//,
  /^src-preload\/index\.ts$/,
];

function sourceFiles(folder: string): string[] {
  const full = path.join(root, folder);
  if (!fs.existsSync(full)) return [];
  return (fs.readdirSync(full, { recursive: true }) as string[])
    .filter((file) => /\.(ts|tsx|mts|cts)$/.test(file))
    .map((file) => path.posix.join(folder, file.split(path.sep).join('/')));
}

/** Every module specifier a file imports, re-exports, requires or import()s — by TypeScript's own scanner. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

const allFiles = ['src-main', 'src-preload', 'src-renderer', 'test', 'scripts'].flatMap(
  sourceFiles,
);

describe('layering', () => {
  it('finds the source files it checks', () => {
    expect(allFiles).toContain('src-main/cli/main.ts');
    // Built from parts so that this file does not itself import the module it looks for.
    const name = ['elec', 'tron'].join('');
    const sample = `import { app } from '${name}';\nconst x = require('${name}');\nexport * from './a.js';`;
    expect(importsOf(sample).sort()).toEqual(['./a.js', name, name]);
    expect(importsOf(`const title = "does not import '${name}'";`)).toEqual([]);
  });

  it("lets only src-main/main.ts, src-main/electron/ and src-preload/index.ts import 'electron'", () => {
    const offenders = allFiles.filter(
      (file) =>
        !ELECTRON_ALLOWED.some((allowed) => allowed.test(file)) &&
        importsOf(fs.readFileSync(path.join(root, file), 'utf8')).some(
          (spec) => spec === 'electron' || spec.startsWith('electron/'),
        ),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the renderer out of src-main and Node built-ins', () => {
    const offenders = sourceFiles('src-renderer').flatMap((file) =>
      importsOf(fs.readFileSync(path.join(root, file), 'utf8'))
        .filter((spec) => {
          if (spec.startsWith('node:')) return true;
          if (!spec.startsWith('.')) return false;
          const target = path.relative(
            root,
            path.resolve(path.dirname(path.join(root, file)), spec),
          );
          return target.startsWith('src-main');
        })
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the contract free of everything but zod', () => {
    const contract = path.join(root, 'src-preload', 'contract.ts');
    if (!fs.existsSync(contract)) return;
    expect(importsOf(fs.readFileSync(contract, 'utf8')).filter((spec) => spec !== 'zod')).toEqual(
      [],
    );
  });
});
