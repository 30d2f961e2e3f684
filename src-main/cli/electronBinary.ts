// Whether the Electron binary is installed. The `electron` npm package ships only types and a
// downloader; the binary itself comes from a separate download that some machines (CI, offline
// builds) cannot make. Everything except the desktop shell works without it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ElectronBinaryStatus {
  installed: boolean;
  /** The binary's path when installed; otherwise why it is not. */
  detail: string;
  packageDir?: string;
}

export function findElectronBinary(): ElectronBinaryStatus {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { installed: false, detail: 'the electron package is not installed (run npm install)' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!fs.existsSync(pathFile)) {
    return { installed: false, detail: 'the Electron binary was never downloaded', packageDir };
  }
  const binary = path.join(packageDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  if (!fs.existsSync(binary)) {
    return { installed: false, detail: `${binary} is missing`, packageDir };
  }
  return { installed: true, detail: binary, packageDir };
}

export const ELECTRON_INSTALL_FIX =
  'run `node node_modules/electron/install.js` on a machine with internet access';
