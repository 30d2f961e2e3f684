// The checks every request to the headless server passes, in this order: Host, Origin, then
// (for /api) no token in the URL and the bearer token — and only for a request that failed
// those, the failed-auth limit (so the right token is always served). Each
// returns a refusal (status + message) or undefined; httpServer.ts and eventStream.ts apply
// them to HTTP requests and WebSocket upgrades alike, so the two can never drift apart.
import type { IncomingMessage } from 'node:http';
import type { ApiErrorKind } from './apiErrors';
import { tokenMatches } from './apiToken';

/** A request refused before any handler runs; its status comes from apiErrors.ts's table. */
export interface Refusal {
  kind: ApiErrorKind;
  message: string;
  headers?: Record<string, string>;
  /** Set when the refusal is a failed authentication (counted, rate limited, audited). */
  authFailure?: string;
}

export interface HostRules {
  port: number;
  /** Extra `host:port` values accepted (a non-loopback --host with --allow-remote). */
  extraHosts: readonly string[];
}

/** A loopback name or address we answer to: `localhost`, any 127.x.y.z, `[::1]`. */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (name === 'localhost' || name === '[::1]') return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  if (!octets) return false;
  const values = octets.slice(1).map(Number);
  return values[0] === 127 && values.every((value) => value <= 255);
}

/**
 * Stops DNS rebinding: a page on evil.example whose name later resolves to 127.0.0.1 reaches
 * our port, but its requests still say `Host: evil.example`. Only loopback names with our
 * own port pass — not `localhost6` or any other alias, whose resolution we do not control.
 */
export function checkHost(request: IncomingMessage, rules: HostRules): Refusal | undefined {
  const host = request.headers.host;
  if (host === undefined || host === '') {
    return { kind: 'bad_request', message: 'the Host header is missing' };
  }
  const parsed = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!parsed) return { kind: 'bad_request', message: 'the Host header is malformed' };
  const hostname = parsed[1] ?? '';
  const port = parsed[2] === undefined ? 80 : Number(parsed[2]);
  const lowered = host.toLowerCase();
  const accepted =
    (port === rules.port && isLoopbackHostname(hostname)) ||
    rules.extraHosts.some((extra) => extra.toLowerCase() === lowered);
  if (!accepted) {
    return {
      kind: 'misdirected_host',
      message: `this server answers only to localhost, 127.0.0.1 or [::1] on port ${rules.port}; open the URL it printed`,
    };
  }
  return undefined;
}

/**
 * Stops cross-site requests: a page on another origin (or a sandboxed frame, whose origin is
 * `null`) must not reach the API, nor even the static files, with the user's browser.
 * Requests without Origin (curl, same-origin GET navigations) pass on to the token check.
 */
export function checkOrigin(request: IncomingMessage): Refusal | undefined {
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  const host = request.headers.host ?? '';
  if (origin.toLowerCase() !== `http://${host}`.toLowerCase()) {
    return { kind: 'forbidden_origin', message: `requests from origin ${origin} are not allowed` };
  }
  return undefined;
}

/**
 * Stops the token from leaking into browser history, proxy and server logs and Referer
 * headers: the API takes no query string at all, and a token found there is named as such.
 */
export function checkNoQueryString(url: string, token: string): Refusal | undefined {
  const mark = url.indexOf('?');
  if (mark === -1) return undefined;
  const query = url.slice(mark + 1);
  let decoded = query;
  try {
    decoded = decodeURIComponent(query.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the raw text.
  }
  const carriesToken =
    /(^|[&;])[^=&;]*token[^=&;]*=/i.test(query) || query.includes(token) || decoded.includes(token);
  return {
    kind: 'bad_request',
    message: carriesToken
      ? 'the token goes in the Authorization header, never in the URL'
      : 'the API takes no query string (and the token goes in the Authorization header, never in the URL)',
    ...(carriesToken ? { authFailure: 'token in the URL' } : {}),
  };
}

/** `Authorization: Bearer <token>`: the scheme is case-insensitive (RFC 9110), the token exact. */
export function checkBearerToken(request: IncomingMessage, token: string): Refusal | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return unauthorized('missing token');
  const parsed = /^([A-Za-z]+) +([^\s]+) *$/.exec(header);
  if (!parsed || parsed[1]?.toLowerCase() !== 'bearer') return unauthorized('not a Bearer token');
  if (!tokenMatches(parsed[2] ?? '', token)) return unauthorized('wrong token');
  return undefined;
}

export const WEBSOCKET_PROTOCOL = 'omnipalm.v1';
const TOKEN_PROTOCOL_PREFIX = 'omnipalm.token.';

/**
 * Browsers cannot set Authorization on a WebSocket, and the URL is off limits, so the client
 * offers two subprotocols: `omnipalm.v1` and `omnipalm.token.<token>`. We select only the
 * first, so the token is never echoed back.
 */
export function checkWebSocketToken(request: IncomingMessage, token: string): Refusal | undefined {
  const offered = (request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (!offered.includes(WEBSOCKET_PROTOCOL)) {
    return { kind: 'bad_request', message: `offer the subprotocol ${WEBSOCKET_PROTOCOL}` };
  }
  const given = offered.filter((item) => item.startsWith(TOKEN_PROTOCOL_PREFIX));
  if (given.length !== 1) return unauthorized('missing token');
  if (!tokenMatches((given[0] ?? '').slice(TOKEN_PROTOCOL_PREFIX.length), token)) {
    return unauthorized('wrong token');
  }
  return undefined;
}

function unauthorized(reason: string): Refusal {
  return {
    kind: 'unauthorized',
    message:
      'a valid token is required: Authorization: Bearer <the token in $OMNIPALM_HOME/api-token>',
    headers: { 'WWW-Authenticate': 'Bearer' },
    authFailure: reason,
  };
}

export interface AuthFailureLimit {
  /** Failed authentications answered 401 per address within one window; past it, 429. */
  max: number;
  windowMs: number;
  /** Alert lines (all addresses together) per window; past it failures are only counted. */
  maxAlerts?: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimit = {
  max: 10,
  windowMs: 60_000,
  maxAlerts: 20,
};

/** Addresses remembered at once: a sprayer using many 127.x.y.z sources cannot grow memory. */
export const MAX_TRACKED_ADDRESSES = 10_000;

/** What to do with one failed authentication. */
export interface AuthFailureVerdict {
  /** Set past the address's limit: refuse with 429 and Retry-After (seconds). */
  retryAfter?: number;
  /** Set when this failure gets an alert line (the global alert budget allows it). */
  alert?: {
    /** This failure is the one that reached the address's limit. */
    limitReached: boolean;
    /** Failures counted without an alert line since the last alert (the budget was spent). */
    suppressed: number;
  };
}

/**
 * Counts failed authentications per remote address, to slow a guesser and to alert. It is
 * consulted only for a request whose token was already found wrong: a request carrying the
 * right token is never counted nor refused, so a local process spraying bad tokens from the
 * same 127.0.0.1 cannot lock the user out of their own UI (a 256-bit token is not guessable;
 * the limit is for noise and alerting, not the lock). Alerts share one budget per window
 * across all addresses, so the spray cannot become a flood of audit lines either: past the
 * budget failures are only counted, and the next alert line says how many went unlogged.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private alertWindow = { start: Number.NEGATIVE_INFINITY, count: 0 };
  private suppressed = 0;

  constructor(
    private readonly limit: AuthFailureLimit,
    private readonly now: () => number = Date.now,
  ) {}

  recordFailure(address: string): AuthFailureVerdict {
    const now = this.now();
    let window = this.windows.get(address);
    if (!window || now - window.start >= this.limit.windowMs) {
      window = { start: now, count: 0 };
      this.windows.delete(address);
      this.windows.set(address, window);
      if (this.windows.size > MAX_TRACKED_ADDRESSES) this.prune(now);
    }
    window.count += 1;
    const retryAfter =
      window.count > this.limit.max
        ? Math.max(1, Math.ceil((window.start + this.limit.windowMs - now) / 1000))
        : undefined;
    const alert =
      retryAfter === undefined && this.alertAllowed(now)
        ? { limitReached: window.count === this.limit.max, suppressed: this.suppressed }
        : undefined;
    if (alert) this.suppressed = 0;
    else this.suppressed += 1;
    return { ...(retryAfter === undefined ? {} : { retryAfter }), ...(alert ? { alert } : {}) };
  }

  private alertAllowed(now: number): boolean {
    if (now - this.alertWindow.start >= this.limit.windowMs) {
      this.alertWindow = { start: now, count: 0 };
    }
    if (this.alertWindow.count >= (this.limit.maxAlerts ?? Number.POSITIVE_INFINITY)) return false;
    this.alertWindow.count += 1;
    return true;
  }

  /** Drops ended windows, then the oldest ones (Map order is insertion order) past the cap. */
  private prune(now: number): void {
    for (const [address, window] of this.windows) {
      if (now - window.start >= this.limit.windowMs) this.windows.delete(address);
    }
    for (const address of this.windows.keys()) {
      if (this.windows.size <= MAX_TRACKED_ADDRESSES) break;
      this.windows.delete(address);
    }
  }
}
