// The platforms of scripts/platformSupport.mjs hold for what is installed: the pinned Electron
// is one Electron still supports, the tools that build and package it know it, and
// package.json's engines promise no Node that a dependency refuses — except where a test
// shows it works there (ENGINES_WIDER_THAN_DECLARED, each with its proof).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ABI_SPECIFIC_MODULES } from '../../scripts/nativeAbi.mjs';
import {
  ELECTRON_MAJOR_CADENCE_DAYS,
  ELECTRON_SUPPORT,
  NODE_LINES,
} from '../../scripts/platformSupport.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(path.join(root, 'package.json'));

interface Manifest {
  version: string;
  engines?: { node?: string };
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
function manifest(folder: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(root, folder, 'package.json'), 'utf8')) as Manifest;
}
const project = manifest('.');

/**
 * Packages whose declared engines leave out a Node line we support, and why we use them
 * anyway. One whose proof is not re-run by this file names the version it was checked at, so
 * a new version is looked at again.
 * All declare >= 22.12.0 for the reason Node 20 left their CI (its end of life, April 2026),
 * not for an API Node 20.19 lacks.
 */
const ENGINES_WIDER_THAN_DECLARED: {
  name: string;
  version?: string;
  /** Where it is installed, when only that copy is excepted (a nested dependency). */
  location?: string;
  proof: string;
}[] = [
  {
    name: 'content-type',
    location: 'node_modules/@octokit/request/node_modules/content-type',
    version: '3.1.1',
    proof:
      'only @modelcontextprotocol/conformance (a devDependency) reaches it, through @octokit, and ' +
      'that suite runs only under Node 22 or newer: test/integration/mcp/conformance.test.ts ' +
      'starts it with a Node 22 and says why it did not run without one.',
  },
  {
    name: '@anthropic-ai/sandbox-runtime',
    version: '0.0.83',
    proof:
      'the shell sandbox: test/security/sandbox*.test.ts start real bubblewrap sandboxes through ' +
      'it under `npm test` on Node 20. 0.0.78 was the last to declare >= 20.11; 0.0.79–0.0.83 ' +
      'carry sandbox fixes we keep.',
  },
  // Electron's npm package installs the binary (`npm start` runs its install.js); electron-builder
  // rebuilds native modules for Electron with @electron/rebuild and node-abi. All are ES modules
  // that CommonJS callers require(): Node 20.19 does that unflagged, as 22.12 does. The test
  // below loads each the way its caller does.
  ...[
    'electron',
    '@electron/get',
    '@electron-internal/extract-zip',
    '@electron/rebuild',
    'node-abi',
  ].map((name) => ({
    name,
    proof: 'loads on this Node as its caller loads it (the test "loads the Electron tooling")',
  })),
];

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  optional?: boolean;
}

describe('Electron', () => {
  const pinned = manifest('node_modules/electron').version;

  it('is a major Electron still supports, by the table and by the release cadence since', () => {
    expect(ELECTRON_SUPPORT.majors, `electron ${pinned} in scripts/platformSupport.mjs`).toContain(
      semver.major(pinned),
    );
    expect(semver.minVersion(project.devDependencies!.electron!)!.major).toBe(semver.major(pinned));
    // Offline, the date is what tells: every cadence since the check drops the oldest major.
    // Fails only when the pinned major has (by Electron's schedule) left the supported three —
    // not merely because the table is old — so CI does not break on a date alone.
    const ageDays = (Date.now() - Date.parse(ELECTRON_SUPPORT.checked)) / 86_400_000;
    const releasesSince = Math.max(0, Math.floor(ageDays / ELECTRON_MAJOR_CADENCE_DAYS));
    const oldestSupported = Math.min(...ELECTRON_SUPPORT.majors) + releasesSince;
    expect(
      semver.major(pinned),
      `scripts/platformSupport.mjs was checked on ${ELECTRON_SUPPORT.checked}; ${releasesSince} ` +
        `Electron major(s) have shipped since, so ${oldestSupported} is the oldest supported. ` +
        'Upgrade electron, run `npm view electron dist-tags` and `npm view electron versions`, ' +
        'and write the latest three majors and today’s date.',
    ).toBeGreaterThanOrEqual(oldestSupported);
  });

  it('is known to the native rebuild electron-builder runs when packaging', () => {
    // @electron/rebuild takes the ABI from node-abi; it must match the one Electron ships.
    // The @electron/rebuild app-builder-lib uses (its exports hide package.json).
    const rebuildMain = createRequire(require.resolve('app-builder-lib/package.json')).resolve(
      '@electron/rebuild',
    );
    const nodeAbi = createRequire(rebuildMain)('node-abi') as {
      getAbi(target: string, runtime: string): string;
    };
    const shipped = fs
      .readFileSync(path.join(root, 'node_modules/electron/abi_version'), 'utf8')
      .trim();
    expect(nodeAbi.getAbi(pinned, 'electron')).toBe(shipped);
  });

  it('is within what electron-vite accepts (vite peer range, Node engines)', () => {
    const electronVite = manifest('node_modules/electron-vite');
    expect(
      semver.satisfies(manifest('node_modules/vite').version, electronVite.peerDependencies!.vite!),
    ).toBe(true);
  });

  it('loads the Electron tooling on this Node, as electron and electron-builder do', () => {
    // electron/install.js and app-builder-lib are CommonJS requiring ES modules.
    const fromElectron = createRequire(require.resolve('electron/package.json'));
    expect(
      typeof (fromElectron('@electron/get') as { downloadArtifact: unknown }).downloadArtifact,
    ).toBe('function');
    expect(fromElectron('@electron-internal/extract-zip')).toBeDefined();
    const fromBuilder = createRequire(require.resolve('app-builder-lib/package.json'));
    expect(typeof (fromBuilder('@electron/rebuild') as { rebuild: unknown }).rebuild).toBe(
      'function',
    );
    expect(require('electron-builder')).toHaveProperty('build');
  });
});

describe('Node', () => {
  it('package.json engines names exactly the lines the suites run on', () => {
    const range = project.engines!.node!;
    for (const line of NODE_LINES) {
      expect(semver.satisfies(line.minimum, range), line.minimum).toBe(true);
      const minimum = semver.parse(line.minimum)!;
      const justBelow =
        minimum.patch > 0
          ? `${minimum.major}.${minimum.minor}.${minimum.patch - 1}`
          : minimum.minor > 0
            ? `${minimum.major}.${minimum.minor - 1}.99`
            : `${minimum.major - 1}.99.0`;
      expect(semver.satisfies(justBelow, range), justBelow).toBe(false);
    }
    expect(semver.satisfies('23.11.0', range)).toBe(false);
    expect(
      semver.satisfies(`${Math.max(...NODE_LINES.map((line) => line.major)) + 1}.0.0`, range),
    ).toBe(false);
    expect(NODE_LINES.map((line) => line.major)).toContain(semver.major(process.versions.node));
  });

  it('no installed package refuses a supported Node line, unless shown to work there', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    };
    const refusals: string[] = [];
    for (const [location, entry] of Object.entries(lock.packages)) {
      const declared = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (location === '' || !declared) continue;
      const name = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
      for (const line of NODE_LINES) {
        // Every release of a line from its minimum on: the range must hold at both ends.
        const latest = `${line.major}.99.0`;
        if (semver.satisfies(line.minimum, declared) && semver.satisfies(latest, declared))
          continue;
        const exception = ENGINES_WIDER_THAN_DECLARED.find(
          (entry) =>
            entry.name === name && (entry.location === undefined || entry.location === location),
        );
        if (exception && (exception.version ?? entry.version) === entry.version) continue;
        refusals.push(
          `${location}@${entry.version} declares node ${declared}, leaving out Node ${line.major}` +
            (exception ? ` (checked at ${exception.version}: look again)` : ''),
        );
      }
    }
    expect(refusals).toEqual([]);
  });

  it('each exception is installed at the version it was checked at', () => {
    for (const exception of ENGINES_WIDER_THAN_DECLARED) {
      if (exception.version === undefined) continue;
      expect(
        manifest(exception.location ?? path.join('node_modules', exception.name)).version,
        exception.name,
      ).toBe(exception.version);
    }
  });
});

describe('native addons', () => {
  it('only the ABI_SPECIFIC_MODULES use V8 directly; the others use Node-API', () => {
    // An addon importing V8's C++ API (mangled `_ZN2v8…` names) loads only in the Node or
    // Electron it was built for, so test-on-node and `npm start` must rebuild it; a Node-API
    // addon (`napi_…` only) loads in every Node 20, 22, 24 and Electron as it is.
    const nodeModules = path.join(root, 'node_modules');
    const found: Record<string, string> = {};
    const dependencies = Object.keys(
      (
        JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
          dependencies: Record<string, string>;
        }
      ).dependencies,
    );
    const folders = [
      ...dependencies,
      ...fs.readdirSync(path.join(nodeModules, '@napi-rs')).map((name) => `@napi-rs/${name}`),
    ];
    for (const name of folders) {
      const folder = path.join(nodeModules, name);
      for (const file of fs.readdirSync(folder, { recursive: true }) as string[]) {
        if (!file.endsWith('.node') || file.split(path.sep).includes('node_modules')) continue;
        const binary = fs.readFileSync(path.join(folder, file));
        if (!binary.includes('_ZN2v8') && !binary.includes('napi_')) continue; // no symbol names to judge by
        found[`${name}/${file}`] = binary.includes('_ZN2v8') ? 'v8' : 'napi';
      }
    }
    expect(Object.keys(found).length).toBeGreaterThanOrEqual(4);
    const usingV8 = Object.entries(found)
      .filter(([, kind]) => kind === 'v8')
      .map(([file]) =>
        file
          .split('/')
          .slice(0, file.startsWith('@') ? 2 : 1)
          .join('/'),
      );
    expect([...new Set(usingV8)].sort()).toEqual([...ABI_SPECIFIC_MODULES].sort());
  });
});
