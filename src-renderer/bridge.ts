// Picks how the renderer talks to the core, once, at start-up: the preload's IPC bridge in
// the Electron app, or HTTP + WebSocket when the headless server serves the page. Components
// get the chosen bridge through useBridge(), never from window.
import { createContext, useContext } from 'react';
import type { OmniPalmBridge } from '../src-preload/contract';
import { createHttpBridge, type EventConnection, type WebSocketFactory } from './bridge/httpBridge';

export {
  BridgeCallError,
  createHttpBridge,
  type EventConnection,
  type EventConnectionState,
} from './bridge/httpBridge';

declare global {
  interface Window {
    /** Set by src-preload/index.ts; absent when the page is not inside the Electron app. */
    readonly omnipalm?: OmniPalmBridge;
  }
}

export type BridgeChoice =
  | {
      readonly available: true;
      readonly transport: 'preload' | 'http';
      readonly api: OmniPalmBridge;
      /** The event socket's state (HTTP only: IPC events cannot drop). */
      readonly connection?: EventConnection;
    }
  | { readonly available: false; readonly reason: string };

/** The parts of window that pickBridge reads (a stand-in in tests). */
export interface BridgeHost {
  readonly omnipalm?: OmniPalmBridge;
  readonly location: Pick<Location, 'hash' | 'pathname' | 'search' | 'host' | 'protocol'>;
  readonly history: Pick<History, 'replaceState' | 'state'>;
  readonly fetch: typeof fetch;
  readonly WebSocket: unknown;
}

export const NO_TOKEN_REASON =
  'This page needs the address that `omnipalm start --headless` prints, the one ending in ' +
  '#token=…. Open that address again: the token is kept in memory only, so reloading or ' +
  'bookmarking the page drops it.';

export function pickBridge(host: BridgeHost): BridgeChoice {
  if (host.omnipalm) return { available: true, transport: 'preload', api: host.omnipalm };
  const token = takeTokenFromLocation(host);
  if (!token) return { available: false, reason: NO_TOKEN_REASON };
  const scheme = host.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const bridge = createHttpBridge({
    token,
    eventsUrl: `${scheme}//${host.location.host}/api/events`,
    // Bound: a detached window.fetch throws "Illegal invocation" in browsers.
    fetch: host.fetch.bind(host),
    WebSocket: host.WebSocket as WebSocketFactory,
  });
  return { available: true, transport: 'http', api: bridge.api, connection: bridge.connection };
}

/**
 * Reads `#token=…` and removes it from the address at once, so the token is not left in the
 * address bar, the history entry, a bookmark or a screen share. It lives in memory only.
 */
export function takeTokenFromLocation(host: Pick<BridgeHost, 'location' | 'history'>): string {
  const hash = host.location.hash.replace(/^#/, '');
  if (hash === '') return '';
  const token = new URLSearchParams(hash).get('token') ?? '';
  host.history.replaceState(host.history.state, '', host.location.pathname + host.location.search);
  return token.trim();
}

/** The bridge of this app start; provided once by App. */
export const BridgeContext = createContext<OmniPalmBridge | null>(null);

export function useBridge(): OmniPalmBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) {
    throw new Error(
      'useBridge: no bridge here; render this component inside <BridgeContext value={bridge}> (App does this)',
    );
  }
  return bridge;
}
