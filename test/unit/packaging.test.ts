// electron-builder.yml, checked without packaging (which downloads Electron and tools): it
// passes electron-builder's own schema validation, flips the security fuses, builds the
// installers we promise, unpacks every native addon our production dependencies carry, and
// ships the build output but no sources or tests.
import fs from 'node:fs';
import path from 'node:path';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'app-builder-lib';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const config = YAML.parse(
  fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'),
) as Configuration;

/** electron-builder matches file patterns with minimatch and dot files included. */
function matches(file: string, pattern: string): boolean {
  return minimatch(file, pattern, { dot: true });
}

/** electron-builder's `files` semantics: patterns in order, a later `!pattern` excludes. */
function shipped(file: string): boolean {
  const patterns = (config.files ?? []) as string[];
  let included = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matches(file, pattern.slice(1))) included = false;
    } else if (matches(file, pattern)) included = true;
  }
  return included;
}

function targetNames(target: unknown): string[] {
  const list = Array.isArray(target) ? target : [target];
  return list.map((entry) =>
    typeof entry === 'string' ? entry : String((entry as { target: string }).target),
  );
}

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Where Node would find `name` from a package folder: its own node_modules, then upwards. */
function resolvePackage(from: string, name: string): string | undefined {
  for (let folder = from; folder.startsWith(root); folder = path.dirname(folder)) {
    const candidate = path.join(folder, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (folder === root) break;
  }
  return undefined;
}

/** The folders of every package electron-builder copies into the app: our dependencies, transitively. */
function productionPackages(): string[] {
  const found = new Set<string>();
  const queue: string[] = [root];
  while (queue.length > 0) {
    const folder = queue.pop()!;
    const manifest = JSON.parse(
      fs.readFileSync(path.join(folder, 'package.json'), 'utf8'),
    ) as PackageJson;
    for (const name of Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
    })) {
      // Optional dependencies for other platforms are simply not installed.
      const resolved = resolvePackage(folder, name);
      if (resolved && !found.has(resolved)) {
        found.add(resolved);
        queue.push(resolved);
      }
    }
  }
  return [...found];
}

/** Native addons (*.node) inside a package, not descending into its own node_modules. */
function nativeAddons(packageFolder: string): string[] {
  return (fs.readdirSync(packageFolder, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.node') && !file.split(path.sep).includes('node_modules'))
    .map((file) => path.relative(root, path.join(packageFolder, file)).split(path.sep).join('/'));
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration validation", async () => {
    const debugLogger = { isEnabled: false, add: () => undefined };
    await expect(validateConfiguration(config, debugLogger as never)).resolves.toBeUndefined();
    // The validator is not a no-op: a misspelt fuse is refused.
    await expect(
      validateConfiguration(
        { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } } as never,
        debugLogger as never,
      ),
    ).rejects.toThrow(/electronFuses/);
  });

  it('flips the fuses that keep other processes from running code as the app', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    // Integrity checking covers only an asar archive.
    expect(config.asar ?? true).toBe(true);
  });

  it('builds AppImage and deb on Linux, dmg on macOS, an NSIS installer on Windows', () => {
    expect(targetNames(config.linux?.target).sort()).toEqual(['AppImage', 'deb']);
    expect(targetNames(config.mac?.target)).toEqual(['dmg']);
    expect(targetNames(config.win?.target)).toEqual(['nsis']);
  });

  it('rebuilds native modules for Electron when packaging', () => {
    expect(config.npmRebuild ?? true).toBe(true);
  });

  it('unpacks every native addon of our production dependencies from the asar', () => {
    const packages = productionPackages();
    const addons = packages.flatMap(nativeAddons);
    // The addons we know we depend on are really there, so the check below is not vacuous.
    for (const expected of [
      /^node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/,
      /^node_modules\/node-pty\/build\/Release\/pty\.node$/,
      /^node_modules\/@napi-rs\/keyring-[^/]+\/keyring\.[^/]+\.node$/,
      /^node_modules\/tree-sitter-bash\/prebuilds\/[^/]+\/tree-sitter-bash\.node$/,
    ]) {
      expect(
        addons.some((addon) => expected.test(addon)),
        String(expected),
      ).toBe(true);
    }
    const unpackPatterns = [config.asarUnpack ?? []].flat() as string[];
    const packed = addons.filter(
      (addon) => !unpackPatterns.some((pattern) => matches(addon, pattern)),
    );
    expect(packed).toEqual([]);
    // node-pty runs helpers that sit next to its addon (spawn-helper, winpty-agent.exe).
    expect(
      unpackPatterns.some((pattern) =>
        matches('node_modules/node-pty/prebuilds/win32-x64/winpty-agent.exe', pattern),
      ),
    ).toBe(true);
  });

  it('ships the build output, not sources, tests or the test CLI bundle', () => {
    for (const file of [
      'out/main/main.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'package.json',
    ]) {
      expect(shipped(file), file).toBe(true);
    }
    for (const file of [
      'src-main/main.ts',
      'src-preload/index.ts',
      'src-renderer/App.tsx',
      'test/unit/packaging.test.ts',
      'out/test-cli/omnipalm.mjs',
      'out/cli-test.mjs',
      'electron-builder.yml',
      'tsconfig.base.json',
      '.env',
    ]) {
      expect(shipped(file), file).toBe(false);
    }
    // Every entry point package.json names is inside what ships.
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      main: string;
    };
    expect(shipped(manifest.main)).toBe(true);
  });
});
