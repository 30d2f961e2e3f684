// Picks how the renderer talks to the core, once, at start-up: the preload's IPC bridge in
// the Electron app, or (in a later issue) HTTP + WebSocket when served by the headless server.
import type { OmniPalmBridge } from '../src-preload/contract';

declare global {
  interface Window {
    /** Set by src-preload/index.ts; absent when the page is not inside the Electron app. */
    readonly omnipalm?: OmniPalmBridge;
  }
}

export type BridgeChoice =
  | { readonly available: true; readonly transport: 'preload'; readonly api: OmniPalmBridge }
  | { readonly available: false; readonly reason: string };

export function pickBridge(host: Window): BridgeChoice {
  if (host.omnipalm) return { available: true, transport: 'preload', api: host.omnipalm };
  return {
    available: false,
    reason:
      'The headless HTTP bridge is not available yet: open OmniPalm from the desktop app (npm start).',
  };
}
