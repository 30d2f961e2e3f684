// Doyensec's Electronegativity over the code that talks to Electron: the main entry point,
// src-main/electron/, the preload, and the renderer's index.html (where the CSP lives). A
// HIGH finding fails the suite. It runs offline: the check that asks the internet which
// Electron releases have security fixes (AvailableSecurityFixesGlobalCheck) is left out.
import fs from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempFolder } from '../support/tempFolders.js';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

interface Finding {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { name: string };
  confidence: { name: string };
  description: string;
}
interface ScanResult {
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: Finding[];
}
type Run = (options: Record<string, unknown>) => Promise<ScanResult>;

/**
 * Findings on our code that are known not to be issues, each with why. Entries are narrow:
 * one check, one file, and only where the window's options are built by the named function
 * (the source right after `new BrowserWindow(` must call it) — an inline options object in
 * the same file is still judged, so a new finding is never hidden.
 */
const ALLOWED: { id: string; file: string; optionsFrom: RegExp; why: string }[] = [
  ...['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'AUXCLICK_JS_CHECK'].map((id) => ({
    id,
    file: 'src-main/electron/mainWindow.ts',
    optionsFrom: /^\s*(mainWindowOptions|promptWindowOptions)\(/,
    why:
      'Electronegativity reads only an options object literal written inside new BrowserWindow(…); ' +
      'ours come from windowOptions.ts (hardenedWebPreferences: contextIsolation and sandbox on, ' +
      "disableBlinkFeatures: 'Auxclick'), " +
      'which it cannot follow through the function call, so it reports them as missing.',
  })),
];

const SOURCES = ['src-main/main.ts', 'src-main/electron', 'src-preload', 'src-renderer/index.html'];

function copyInto(target: string, relative: string): void {
  fs.cpSync(path.join(root, relative), path.join(target, relative), { recursive: true });
}

/** The files electronegativity's own directory loader will hand to its parser. */
async function filesTheScannerLoads(folder: string): Promise<string[]> {
  const { LoaderDirectory } = require('@doyensec/electronegativity/dist/loader') as {
    LoaderDirectory: new () => { load(dir: string): Promise<void>; list_files: Set<string> };
  };
  const loader = new LoaderDirectory();
  await loader.load(folder);
  return [...loader.list_files].map((file) =>
    path.relative(folder, file).split(path.sep).join('/'),
  );
}

/** The source text from a finding's line:column on (columns count from 0). */
function sourceFrom(folder: string, finding: Finding): string {
  const lines = fs.readFileSync(path.join(folder, finding.file), 'utf8').split('\n');
  const { line, column } = finding.location;
  return [lines[line - 1]?.slice(column) ?? '', ...lines.slice(line)].join('\n');
}

function isAllowed(folder: string, finding: Finding): boolean {
  return ALLOWED.some((allowed) => {
    if (allowed.id !== finding.id || allowed.file !== finding.file) return false;
    const call = /^new\s+BrowserWindow\(([\s\S]*)/.exec(sourceFrom(folder, finding));
    return call !== null && allowed.optionsFrom.test(call[1] ?? '');
  });
}

function sarifResultCount(file: string): number | undefined {
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { runs: { results: unknown[] }[] };
    return report.runs[0]?.results.length;
  } catch {
    return undefined;
  }
}

function describeFinding(finding: Finding): string {
  const where = `${finding.file}:${finding.location.line}:${finding.location.column}`;
  return `${finding.id} (${finding.severity.name}, ${finding.confidence.name}) at ${where}: ${finding.description}`;
}

/**
 * Electronegativity fetches fresh translations from GitHub on every run (with `got`); tests
 * may reach loopback only. Its `got` is replaced, before the package loads, by one that fails
 * at once, and it falls back to the translations it ships.
 */
function keepElectronegativityOffline(): void {
  const fromPackage = createRequire(require.resolve('@doyensec/electronegativity/package.json'));
  const gotPath = fromPackage.resolve('got');
  const offline = () =>
    Promise.reject(new Error('offline: the test suite reaches loopback addresses only'));
  require.cache[gotPath] = {
    id: gotPath,
    filename: gotPath,
    loaded: true,
    exports: Object.assign(offline, { default: offline }),
  } as unknown as NodeJS.Module;
}

async function scan(input: string, output: string): Promise<ScanResult> {
  keepElectronegativityOffline();
  // The package's main module is its programmatic runner; unlike the CLI with -o, it hands
  // back parse errors, so a file it could not read cannot silently count as clean.
  const run = require('@doyensec/electronegativity') as Run;
  return run({
    input,
    output,
    isSarif: true,
    isRelative: true,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    // Version-dependent checks judge against the Electron we build with.
    // Read as a file: a require of the electron package here would break the layering rule.
    electronVersionOverride: (
      JSON.parse(
        fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
      ) as { version: string }
    ).version,
    parserPlugins: [],
  });
}

describe('electronegativity', () => {
  let workFolder: string;
  let sources: string;
  let ours: ScanResult;
  let oursFiles: string[];

  /** Every connection the scanner opened: none is allowed (tests reach loopback only). */
  const connections: string[] = [];
  const connect = net.Socket.prototype.connect;

  beforeAll(async () => {
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      connections.push(JSON.stringify(args[0]).slice(0, 200));
      return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof connect;
    workFolder = makeTempFolder('omnipalm-electronegativity-');
    sources = path.join(workFolder, 'sources');
    for (const relative of SOURCES) copyInto(sources, relative);
    oursFiles = await filesTheScannerLoads(sources);
    ours = await scan(sources, path.join(workFolder, 'ours.sarif'));
  }, 30_000);

  afterAll(() => {
    net.Socket.prototype.connect = connect;
    expect(connections).toEqual([]);
  });

  it('loads and parses every one of our Electron files', async () => {
    expect(oursFiles).toContain('src-main/main.ts');
    expect(oursFiles).toContain('src-main/electron/mainWindow.ts');
    expect(oursFiles).toContain('src-preload/index.ts');
    expect(oursFiles).toContain('src-renderer/index.html');
    // A file the parser rejects would otherwise simply have no findings.
    expect(ours.errors.filter((error) => !error.tolerable)).toEqual([]);
    // The report is written with an un-awaited fs.writeFile: wait for it to be complete.
    await expect
      .poll(() => sarifResultCount(path.join(workFolder, 'ours.sarif')))
      .toBe(ours.issues.length);
  });

  it('reports a .ts window with nodeIntegration on and contextIsolation off as HIGH', async () => {
    const bad = path.join(workFolder, 'known-bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(
      path.join(bad, 'insecureWindow.ts'),
      [
        // Spelt in parts: the layering test reads import-looking strings as imports.
        `import { BrowserWindow } from '${['elec', 'tron'].join('')}';`,
        'export function open(url: string): BrowserWindow {',
        '  const window = new BrowserWindow({',
        '    webPreferences: { nodeIntegration: true, contextIsolation: false },',
        '  });',
        '  void window.loadURL(url);',
        '  return window;',
        '}',
        '',
      ].join('\n'),
    );
    const result = await scan(bad, path.join(workFolder, 'known-bad.sarif'));
    expect(result.errors.filter((error) => !error.tolerable)).toEqual([]);
    const found = result.issues.map(
      (finding) =>
        `${finding.id} ${finding.severity.name} ${finding.file}:${finding.location.line}`,
    );
    // Line 4 holds `contextIsolation: false`.
    expect(found).toContain('CONTEXT_ISOLATION_JS_CHECK HIGH insecureWindow.ts:4');
    expect(found.some((line) => line.startsWith('NODE_INTEGRATION_JS_CHECK'))).toBe(true);
  });

  it('finds nothing of HIGH severity in our code', () => {
    const allowed = ours.issues.filter((finding) => isAllowed(sources, finding));
    const unexplained = ours.issues.filter((finding) => !allowed.includes(finding));
    const counts = new Map<string, number>();
    for (const finding of unexplained)
      counts.set(finding.severity.name, (counts.get(finding.severity.name) ?? 0) + 1);
    console.log(
      `electronegativity: ${oursFiles.length} files, HIGH ${counts.get('HIGH') ?? 0}, MEDIUM ${counts.get('MEDIUM') ?? 0}, LOW ${counts.get('LOW') ?? 0}, INFORMATIONAL ${counts.get('INFORMATIONAL') ?? 0}` +
        (allowed.length > 0 ? ` (+${allowed.length} allow-listed)` : '') +
        `: ${unexplained
          .filter((finding) => finding.severity.name !== 'HIGH')
          .map((finding) => `${finding.id} ${finding.file}`)
          .join(', ')}`,
    );
    expect(
      unexplained.filter((finding) => finding.severity.name === 'HIGH').map(describeFinding),
    ).toEqual([]);
    if (allowed.length > 0) {
      // The allow-list's premise, in the file it points to: the shared webPreferences keep
      // contextIsolation and sandbox on and Node off, and nothing there turns them off.
      const options = fs.readFileSync(
        path.join(sources, 'src-main/electron/windowOptions.ts'),
        'utf8',
      );
      for (const required of [
        'contextIsolation: true',
        'sandbox: true',
        'nodeIntegration: false',
        "disableBlinkFeatures: 'Auxclick'",
      ])
        expect(options, `windowOptions.ts: ${required}`).toContain(required);
      expect(options).not.toMatch(/(contextIsolation|sandbox):\s*false|nodeIntegration:\s*true/);
    }
  });
});
