// `npm run test:electron`: the Playwright _electron smoke test (test/e2e/electron.test.ts),
// which needs what `npm test` cannot have at the same time: native modules built for Electron
// and a display. It rebuilds them for Electron, runs the test (under xvfb-run when there is no
// DISPLAY), then rebuilds them for Node, whatever the outcome.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { rebuildNativeModulesForElectron } from './rebuildForElectron.mjs';

const root = path.resolve(import.meta.dirname, '..');
const run = (command, args) =>
  spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env }).status ?? 1;
const electronInstalled =
  spawnSync(
    process.execPath,
    ['-e', "process.exit(require('fs').existsSync(require('electron')) ? 0 : 1)"],
    { cwd: root },
  ).status === 0;

if (!electronInstalled) {
  console.error(
    'test:electron: the Electron binary is not installed; run `node node_modules/electron/install.js` on a machine with internet access first.',
  );
  process.exit(1);
}
let status = rebuildNativeModulesForElectron(root);
if (status === 0) status = run(path.join(root, 'node_modules', '.bin', 'electron-vite'), ['build']);
if (status === 0) {
  const vitest = [
    path.join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    'test/e2e/electron.test.ts',
  ];
  status =
    process.platform === 'linux' && !process.env.DISPLAY
      ? run('xvfb-run', ['-a', process.execPath, ...vitest])
      : run(process.execPath, vitest);
}
const restored = run(process.execPath, [path.join(root, 'scripts', 'ensure-native-abi.mjs')]);
process.exit(status !== 0 ? status : restored);
