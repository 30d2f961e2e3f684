// `npm start`: the desktop app where the Electron binary is installed (fetching it once if it
// was never downloaded and downloads are allowed), otherwise one line saying so and the
// headless mode — via the same `omnipalm start` a user would run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { rebuildNativeModulesForElectron } from './rebuildForElectron.mjs';

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

if (electronInstalled()) {
  const rebuilt = rebuildNativeModulesForElectron(root);
  if (rebuilt !== 0) process.exit(rebuilt);
} else {
  // The headless mode runs in Node: undo an earlier rebuild for Electron if there was one.
  const ensured = run(process.execPath, [path.join(root, 'scripts', 'ensure-native-abi.mjs')]);
  if (ensured !== 0) process.exit(ensured);
}
// Both serve the built window (main, preload, renderer): build it from the current source, so
// a fresh checkout's `npm install && npm start` shows the UI, not a page asking for a build.
const built = run(path.join(root, 'node_modules', '.bin', 'electron-vite'), ['build']);
if (built !== 0) process.exit(built);
process.exit(
  run(process.execPath, [
    path.join(root, 'bin', 'omnipalm.mjs'),
    'start',
    ...process.argv.slice(2),
  ]),
);
