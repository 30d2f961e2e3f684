// The bridge when the renderer is served by the headless server (`omnipalm start --headless`):
// the same contract as the preload's IPC, over POST /api/<channel> and one WebSocket at
// /api/events. Built from the contract's tables like the preload's, so a new channel or event
// needs no code here.
import {
  channelNames,
  contract,
  eventNames,
  events,
  methodNameOf,
  subscriptionNameOf,
  type ChannelName,
  type EventName,
  type OmniPalmBridge,
} from '../../src-preload/contract';

/** What the server's event socket is doing, for the status line and for re-reading state. */
export type EventConnectionState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface EventConnection {
  readonly state: EventConnectionState;
  /** Calls listener on every change; returns the function that unsubscribes. */
  onChange(listener: (state: EventConnectionState) => void): () => void;
}

/** The part of a browser WebSocket the bridge uses (a fake in tests). */
export interface WebSocketLike {
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = new (url: string, protocols: string[]) => WebSocketLike;

export interface HttpBridgeOptions {
  /** The server's bearer token; kept in this closure only, never written anywhere. */
  token: string;
  /** ws://host/api/events (or wss:). */
  eventsUrl: string;
  fetch: typeof fetch;
  WebSocket: WebSocketFactory;
  /** Reconnect delays: doubling from initialMs up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  /** Reports what the bridge drops (malformed events, throwing listeners). */
  onProblem?: (message: string) => void;
}

export interface HttpBridge {
  readonly api: OmniPalmBridge;
  readonly connection: EventConnection;
  /** Closes the event socket for good (tests, page unload). */
  close(): void;
}

export const EVENTS_PROTOCOL = 'omnipalm.v1';
export const TOKEN_PROTOCOL_PREFIX = 'omnipalm.token.';

/** A call the server refused or failed; `status` is the HTTP status (0: no answer at all). */
export class BridgeCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'BridgeCallError';
  }
}

export function createHttpBridge(options: HttpBridgeOptions): HttpBridge {
  const { token } = options;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 15_000 };
  const report = options.onProblem ?? ((message: string) => console.warn(`OmniPalm: ${message}`));

  let state: EventConnectionState = 'connecting';
  const stateListeners = new Set<(state: EventConnectionState) => void>();
  const setState = (next: EventConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };

  const call = async (channel: ChannelName, request: unknown = {}): Promise<unknown> => {
    let response: Response;
    try {
      response = await options.fetch(`/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(request),
      });
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      throw new BridgeCallError(
        `${channel}: cannot reach the OmniPalm server (${cause}); is \`omnipalm start --headless\` still running?`,
        0,
      );
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      if (response.status === 401) setState('unauthorized');
      const message =
        isRecord(body) && typeof body.error === 'string'
          ? body.error
          : `${channel}: the server answered HTTP ${response.status}`;
      throw new BridgeCallError(message, response.status);
    }
    // Data crossing a boundary is parsed before it is trusted: a reply the contract does not
    // describe (a proxy's page, a mismatched server version) must not reach the store.
    const parsed = contract[channel].response.safeParse(body);
    if (!parsed.success) {
      throw new BridgeCallError(`${channel}: the server's answer does not match the contract`, 200);
    }
    return parsed.data;
  };

  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let socket: WebSocketLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = backoff.initialMs;
  let closed = false;

  const dispatch = (data: unknown) => {
    let message: unknown;
    try {
      message = typeof data === 'string' ? JSON.parse(data) : undefined;
    } catch {
      message = undefined;
    }
    if (!isRecord(message) || !isEventName(message.event)) {
      report('dropped an event socket message that is not a known {event, payload}');
      return;
    }
    const name = message.event;
    // Re-validated here, as the preload does for IPC: the page trusts only what the contract
    // names, whatever the other end of the socket is.
    const parsed = events[name].safeParse(message.payload);
    if (!parsed.success) {
      report(`dropped a ${name} event whose payload does not match the contract`);
      return;
    }
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(parsed.data);
      } catch (error) {
        report(`a ${name} listener threw: ${error instanceof Error ? error.message : error}`);
      }
    }
  };

  const connect = () => {
    if (closed) return;
    let opened = false;
    const ws = new options.WebSocket(options.eventsUrl, [
      EVENTS_PROTOCOL,
      // Browsers cannot set Authorization on a WebSocket and the URL is logged everywhere, so
      // the token travels as a subprotocol; the server selects only omnipalm.v1 in reply.
      `${TOKEN_PROTOCOL_PREFIX}${token}`,
    ]);
    socket = ws;
    ws.onopen = () => {
      opened = true;
      retryDelay = backoff.initialMs;
      setState('live');
    };
    ws.onmessage = (event) => dispatch(event.data);
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket === ws) socket = null;
      if (closed) return;
      setState('reconnecting');
      // A browser hides the handshake's HTTP status. A socket that never opened may have been
      // refused for its token: ask once over HTTP, and stop retrying on 401 rather than
      // hammering the server's auth-failure limiter with a token that can never work.
      const check = opened ? Promise.resolve(true) : tokenStillAccepted();
      void check.then((accepted) => {
        if (closed) return;
        if (!accepted) {
          setState('unauthorized');
          return;
        }
        retryTimer = setTimeout(() => {
          retryTimer = null;
          connect();
        }, retryDelay);
        retryDelay = Math.min(retryDelay * 2, backoff.maxMs);
      });
    };
  };

  const tokenStillAccepted = async (): Promise<boolean> => {
    try {
      await call('app.getStatus');
      return true;
    } catch (error) {
      return !(error instanceof BridgeCallError && error.status === 401);
    }
  };

  const bridge: Record<string, unknown> = {};
  for (const channel of channelNames) {
    bridge[methodNameOf(channel)] = (request?: unknown) => call(channel, request ?? {});
  }
  for (const event of eventNames) {
    bridge[subscriptionNameOf(event)] = (listener: (payload: unknown) => void) => {
      if (typeof listener !== 'function') {
        throw new TypeError(`${subscriptionNameOf(event)}: expected a listener function`);
      }
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      // The socket opens with the first subscription and then stays open: the core counts
      // attached front doors to know whether anyone can see a confirmation.
      if (!socket && !retryTimer && state !== 'unauthorized') connect();
      return () => void listeners.get(event)?.delete(listener);
    };
  }

  return {
    api: Object.freeze(bridge) as unknown as OmniPalmBridge,
    connection: {
      get state() {
        return state;
      },
      onChange(listener) {
        stateListeners.add(listener);
        return () => void stateListeners.delete(listener);
      },
    },
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      socket?.close(1000, 'page closed');
      socket = null;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (eventNames as string[]).includes(value);
}
