// `npm start`: the desktop app where the Electron binary is installed (fetching it once if it
// was never downloaded and downloads are allowed), otherwise one line saying so and the
// headless mode — via the same `omnipalm start` a user would run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ABI_SPECIFIC_MODULES, decideForElectron, readMarker, writeMarker } from './nativeAbi.mjs';

const root = path.resolve(import.meta.dirname, '..');
const electronDir = path.join(root, 'node_modules', 'electron');

function electronInstalled() {
  const pathFile = path.join(electronDir, 'path.txt');
  return (
    fs.existsSync(pathFile) &&
    fs.existsSync(path.join(electronDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim()))
  );
}

function run(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
}

if (
  !electronInstalled() &&
  !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD &&
  fs.existsSync(electronDir)
) {
  // npm's allowScripts keeps electron's own postinstall from running during npm install,
  // so that an offline install succeeds; fetch the binary here, where failing is harmless.
  spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    cwd: root,
    stdio: 'ignore',
    timeout: 300_000,
  });
}

/**
 * Electron cannot load addons built for Node's ABI (npm install builds them for Node): rebuild
 * them for this Electron, once per Electron version, with @electron/rebuild (electron-builder's
 * own rebuilder). It fetches a prebuilt binary or compiles against Electron's headers — both
 * need internet, as fetching Electron did. `npm test` puts them back (ensure-native-abi.mjs).
 */
function rebuildNativeModulesForElectron() {
  const electronVersion = JSON.parse(
    fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8'),
  ).version;
  const decision = decideForElectron(readMarker(root), electronVersion);
  if (decision.action === 'none') return 0;
  console.log(
    `OmniPalm: ${decision.reason}; rebuilding ${ABI_SPECIFIC_MODULES.join(', ')} for Electron ${electronVersion}`,
  );
  const status = run(path.join(root, 'node_modules', '.bin', 'electron-rebuild'), [
    '--version',
    electronVersion,
    '--only',
    ABI_SPECIFIC_MODULES.join(','),
    '--force',
    '--module-dir',
    root,
  ]);
  if (status !== 0) {
    console.error(
      `OmniPalm: could not rebuild ${ABI_SPECIFIC_MODULES.join(', ')} for Electron ${electronVersion} ` +
        '(it needs internet for a prebuilt binary or Electron headers, and a C++ toolchain to compile).',
    );
    return status;
  }
  writeMarker(root, 'electron', electronVersion);
  return 0;
}

if (electronInstalled()) {
  const rebuilt = rebuildNativeModulesForElectron();
  if (rebuilt !== 0) process.exit(rebuilt);
  const built = run(path.join(root, 'node_modules', '.bin', 'electron-vite'), ['build']);
  if (built !== 0) process.exit(built);
} else {
  // The headless mode runs in Node: undo an earlier rebuild for Electron if there was one.
  const ensured = run(process.execPath, [path.join(root, 'scripts', 'ensure-native-abi.mjs')]);
  if (ensured !== 0) process.exit(ensured);
}
process.exit(
  run(process.execPath, [
    path.join(root, 'bin', 'omnipalm.mjs'),
    'start',
    ...process.argv.slice(2),
  ]),
);
