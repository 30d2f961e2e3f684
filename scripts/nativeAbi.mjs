// Which runtime node_modules' native modules are built for. Electron and Node have different
// ABIs: an addon built for one fails to load in the other ("was compiled against a different
// Node.js version using NODE_MODULE_VERSION …"). `npm start` rebuilds for Electron, the
// tests need them built for Node; a marker file records which one node_modules holds now.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Modules tied to one runtime's ABI: better-sqlite3 uses V8's C++ API. node-pty,
 * @napi-rs/keyring and tree-sitter-bash use Node-API, which is ABI-stable: one build loads in
 * Node and in Electron alike, so they are never rebuilt here.
 */
export const ABI_SPECIFIC_MODULES = ['better-sqlite3'];

export const MARKER_NAME = '.omnipalm-native-abi';

export function markerPath(root) {
  return path.join(root, 'node_modules', MARKER_NAME);
}

/** The marker's content, or undefined when there is none (or it is unreadable). */
export function readMarker(root) {
  try {
    const marker = JSON.parse(fs.readFileSync(markerPath(root), 'utf8'));
    return marker && typeof marker.runtime === 'string' ? marker : undefined;
  } catch {
    return undefined;
  }
}

/** runtime: 'node' | 'electron'; version: that runtime's version. */
export function writeMarker(root, runtime, version) {
  fs.writeFileSync(markerPath(root), `${JSON.stringify({ runtime, version })}\n`);
}

/** True when a load error is the ABI mismatch a rebuild fixes (not, say, a missing module). */
export function isAbiMismatch(message) {
  return /NODE_MODULE_VERSION/.test(message ?? '');
}

/**
 * Before the tests (plain Node): rebuild for Node when the marker says Electron holds
 * node_modules, or when better-sqlite3 fails to load for ABI reasons. Anything else is left
 * alone: a different load error is not something a rebuild fixes, so it is reported.
 *
 * marker: readMarker's result; probe: { ok: true } or { ok: false, error: message }.
 * Returns { action: 'none' | 'rebuild-for-node', reason: string }.
 */
export function decideForNode(marker, probe) {
  if (marker?.runtime === 'electron') {
    return {
      action: 'rebuild-for-node',
      reason: `node_modules holds native modules built for Electron ${marker.version ?? ''}`.trim(),
    };
  }
  if (!probe.ok && isAbiMismatch(probe.error)) {
    return { action: 'rebuild-for-node', reason: 'better-sqlite3 is built for another ABI' };
  }
  if (!probe.ok) {
    return { action: 'none', reason: `better-sqlite3 does not load: ${probe.error}` };
  }
  return { action: 'none', reason: 'native modules are built for Node' };
}

/**
 * Before Electron starts: rebuild for this Electron unless the marker says node_modules
 * already holds a build for exactly this version.
 */
export function decideForElectron(marker, electronVersion) {
  if (marker?.runtime === 'electron' && marker.version === electronVersion) {
    return { action: 'none', reason: `native modules are built for Electron ${electronVersion}` };
  }
  return {
    action: 'rebuild-for-electron',
    reason: `native modules are built for ${marker ? `${marker.runtime} ${marker.version}` : 'Node'}`,
  };
}
