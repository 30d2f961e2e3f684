// Rebuilds the ABI-specific native modules for the installed Electron (npm start and
// npm run test:electron); ensure-native-abi.mjs puts them back for Node.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ABI_SPECIFIC_MODULES, decideForElectron, readMarker, writeMarker } from './nativeAbi.mjs';

/**
 * Electron cannot load addons built for Node's ABI (npm install builds them for Node): rebuild
 * them for this Electron, once per Electron version, with @electron/rebuild (electron-builder's
 * own rebuilder). It fetches a prebuilt binary or compiles against Electron's headers — both
 * need internet, as fetching Electron did. `npm test` puts them back (ensure-native-abi.mjs).
 */
export function rebuildNativeModulesForElectron(root) {
  const electronDir = path.join(root, 'node_modules', 'electron');
  const run = (command, args) =>
    spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
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
