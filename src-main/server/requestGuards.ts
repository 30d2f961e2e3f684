// The checks every request to the headless server passes, in this order: Host, Origin, then
// (for /api) no token in the URL, the failed-auth rate limit, and the bearer token. Each
// returns a refusal (status + message) or undefined; httpServer.ts and eventStream.ts apply
// them to HTTP requests and WebSocket upgrades alike, so the two can never drift apart.
import type { IncomingMessage } from 'node:http';
import { tokenMatches } from './apiToken';

export interface Refusal {
  status: number;
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
    return { status: 400, message: 'the Host header is missing' };
  }
  const parsed = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!parsed) return { status: 400, message: 'the Host header is malformed' };
  const hostname = parsed[1] ?? '';
  const port = parsed[2] === undefined ? 80 : Number(parsed[2]);
  const lowered = host.toLowerCase();
  const accepted =
    (port === rules.port && isLoopbackHostname(hostname)) ||
    rules.extraHosts.some((extra) => extra.toLowerCase() === lowered);
  if (!accepted) {
    return {
      status: 421,
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
    return { status: 403, message: `requests from origin ${origin} are not allowed` };
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
    status: 400,
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
    return { status: 400, message: `offer the subprotocol ${WEBSOCKET_PROTOCOL}` };
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
    status: 401,
    message:
      'a valid token is required: Authorization: Bearer <the token in $OMNIPALM_HOME/api-token>',
    headers: { 'WWW-Authenticate': 'Bearer' },
    authFailure: reason,
  };
}

export interface AuthFailureLimit {
  /** Failures allowed per address within one window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimit = { max: 10, windowMs: 60_000 };

/**
 * Counts failed authentications per remote address. Past the limit the address is refused
 * (429) until its window ends — even with the right token, so a guesser learns nothing from
 * the answers — and the flood of attempts does not become a flood of alerts.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: AuthFailureLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may try again, or undefined when it is not blocked. */
  blockedFor(address: string): number | undefined {
    const window = this.current(address);
    if (!window || window.count < this.limit.max) return undefined;
    return Math.max(1, Math.ceil((window.start + this.limit.windowMs - this.now()) / 1000));
  }

  /** Records a failure; true when this one reached the limit (report the block once). */
  recordFailure(address: string): boolean {
    const window = this.current(address) ?? { start: this.now(), count: 0 };
    window.count += 1;
    this.windows.set(address, window);
    if (this.windows.size > 10_000) this.prune();
    return window.count === this.limit.max;
  }

  private current(address: string): { start: number; count: number } | undefined {
    const window = this.windows.get(address);
    if (window && this.now() - window.start >= this.limit.windowMs) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }

  private prune(): void {
    for (const address of [...this.windows.keys()]) this.current(address);
  }
}
