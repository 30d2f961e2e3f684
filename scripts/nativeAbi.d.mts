// Types for nativeAbi.mjs (a plain script, so that `npm start` and `pretest` need no compiler).
export interface NativeAbiMarker {
  runtime: 'node' | 'electron' | string;
  version?: string;
}
export type LoadProbe = { ok: true } | { ok: false; error: string };
export interface Decision<Action extends string> {
  action: Action;
  reason: string;
}

export const ABI_SPECIFIC_MODULES: string[];
export const MARKER_NAME: string;
export function markerPath(root: string): string;
export function readMarker(root: string): NativeAbiMarker | undefined;
export function writeMarker(root: string, runtime: 'node' | 'electron', version: string): void;
export function isAbiMismatch(message: string | undefined): boolean;
export function decideForNode(
  marker: NativeAbiMarker | undefined,
  probe: LoadProbe,
): Decision<'none' | 'rebuild-for-node'>;
export function decideForElectron(
  marker: NativeAbiMarker | undefined,
  electronVersion: string,
): Decision<'none' | 'rebuild-for-electron'>;
