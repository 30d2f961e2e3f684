// Runs before `npm test` (after ensure-system-deps.sh): makes sure node_modules' native modules
// are built for Node, not for Electron. `npm start` rebuilds them for Electron when it launches
// the desktop app; this puts them back, and only then — normally it only reads a marker file
// and loads better-sqlite3 once, in a few milliseconds.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ABI_SPECIFIC_MODULES, decideForNode, readMarker, writeMarker } from './nativeAbi.mjs';

const root = path.resolve(import.meta.dirname, '..');

/** Loads better-sqlite3's addon the way the app does (require alone does not load it). */
function probeInThisProcess() {
  try {
    const Database = createRequire(path.join(root, 'package.json'))('better-sqlite3');
    new Database(':memory:').close();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** After a rebuild, in a fresh process: this one may hold the old addon already. */
function probeInChild() {
  const result = spawnSync(
    process.execPath,
    ['-e', "new (require('better-sqlite3'))(':memory:').close()"],
    { cwd: root, encoding: 'utf8' },
  );
  return result.status === 0 ? { ok: true } : { ok: false, error: result.stderr.trim() };
}

function npm(args) {
  // Under `npm test`, npm_execpath is the running npm's own CLI: use the same npm.
  const npmCli = process.env.npm_execpath;
  const [command, fullArgs] = npmCli?.endsWith('.js')
    ? [process.execPath, [npmCli, ...args]]
    : ['npm', args];
  return spawnSync(command, fullArgs, {
    cwd: root,
    stdio: 'inherit',
    shell: command === 'npm' && process.platform === 'win32',
  }).status;
}

if (fs.existsSync(path.join(root, 'node_modules'))) {
  const marker = readMarker(root);
  // With the marker saying Electron, the answer is known: do not load an Electron build here.
  const probe = marker?.runtime === 'electron' ? { ok: true } : probeInThisProcess();
  const decision = decideForNode(marker, probe);

  if (decision.action === 'none') {
    if (!probe.ok) console.warn(`ensure-native-abi: ${decision.reason}`);
    else if (!marker) writeMarker(root, 'node', process.versions.node);
  } else {
    console.log(
      `ensure-native-abi: ${decision.reason}; rebuilding ${ABI_SPECIFIC_MODULES.join(', ')} for Node ${process.versions.node}`,
    );
    const status = npm(['rebuild', ...ABI_SPECIFIC_MODULES]);
    const after = probeInChild();
    if (status !== 0 || !after.ok) {
      console.error(
        `ensure-native-abi: the rebuild for Node failed${after.ok ? '' : `: ${after.error}`}\n` +
          `  Run: npm rebuild ${ABI_SPECIFIC_MODULES.join(' ')}  (it needs internet for a prebuilt binary, or a C++ toolchain)`,
      );
      process.exit(1);
    }
    writeMarker(root, 'node', process.versions.node);
  }
}
