// The headless front door: the whole contract of src-preload/contract.ts over loopback HTTP
// (POST /api/<channel>) and a WebSocket (/api/events), plus the built renderer. Safe by
// default — loopback only, a bearer token on every call, Host and Origin checked before
// anything else so that no web page the user visits can drive the agent (DESIGN.md §1).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { channelNames, type ChannelName, type ContractHandlers } from '../../src-preload/contract';
import { answerForError, statusOf, type ApiErrorKind } from './apiErrors';
import { dispatchCall } from './dispatch';
import { EventStream, rejectUpgrade, type EventSubscriber } from './eventStream';
import { listenAll, planBind, remoteWarning } from './listen';
import {
  AuthFailureLimiter,
  DEFAULT_AUTH_FAILURE_LIMIT,
  checkBearerToken,
  checkHost,
  checkNoQueryString,
  checkOrigin,
  checkWebSocketToken,
  type AuthFailureLimit,
  type HostRules,
  type Refusal,
} from './requestGuards';
import { serveStatic } from './staticFiles';

export const MAX_BODY_BYTES = 1024 * 1024;
const EVENTS_PATH = '/api/events';
const OPENAPI_PATH = '/api/openapi.json';

/** One alerted failed authentication (alerts are bounded per window: see AuthFailureLimiter). */
export interface AuthFailure {
  remoteAddress: string;
  reason: string;
  /** This failure reached the address's limit: its next ones are answered 429. */
  limitReached: boolean;
  /** Failures since the previous alert that got no line of their own. */
  suppressed: number;
}

export interface HeadlessServerOptions {
  handlers: ContractHandlers;
  /** Called once per accepted WebSocket; returns its unsubscribe. */
  subscribe: EventSubscriber;
  token: string;
  /** Default: 127.0.0.1 and ::1. Anything not loopback needs allowRemote. */
  host?: string;
  allowRemote?: boolean;
  /** Default 0: a free port. */
  port?: number;
  /** The built renderer (out/renderer); when missing, a page says to run npm run build. */
  staticDir?: string;
  /** Extra `name:port` Host values to answer to (remote mode behind a mapped port). */
  allowedHosts?: string[];
  /** A failed authentication to alert on (bounded per window); the caller audits it. */
  onAuthFailure?: (failure: AuthFailure) => void;
  /** The OpenAPI document, served at GET /api/openapi.json. */
  openApi?: () => unknown;
  authFailureLimit?: AuthFailureLimit;
  /**
   * A bug (an error no class in apiErrors.ts explains): the client gets a bare 500, the
   * details come here, for the audit log. `where` is the channel or path.
   */
  onInternalError?: (where: string, error: unknown) => void;
}

export interface HeadlessServer {
  urls: string[];
  port: number;
  /** The URL to open in a browser: the token rides in the #fragment, which is never sent. */
  openUrl: string;
  /** Lines the caller must print (listening beyond loopback). */
  warnings: string[];
  close(): Promise<void>;
}

const jsonHeaders = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const plan = planBind(options.host, options.allowRemote === true);
  const limiter = new AuthFailureLimiter(options.authFailureLimit ?? DEFAULT_AUTH_FAILURE_LIMIT);
  const stream = new EventStream(options.subscribe);
  const hostRules: HostRules = { port: 0, extraHosts: [] };
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  /**
   * No token in the URL, then the token; the failed-auth limit only for a request that failed
   * them. Shared by calls and the event stream. The token is checked first so that a local
   * process spraying wrong tokens from 127.0.0.1 (every client's address) can never get the
   * UI's own requests refused: the limit slows and reports the sprayer, nobody else.
   */
  const authorize = (
    request: IncomingMessage,
    checkToken: () => Refusal | undefined,
  ): Refusal | undefined => {
    const refusal = checkNoQueryString(request.url ?? '/', options.token) ?? checkToken();
    if (refusal?.authFailure === undefined) return refusal;
    const remoteAddress = request.socket.remoteAddress ?? 'unknown';
    const verdict = limiter.recordFailure(remoteAddress);
    if (verdict.alert) {
      try {
        options.onAuthFailure?.({ remoteAddress, reason: refusal.authFailure, ...verdict.alert });
      } catch {
        // Auditing must not turn a refusal into a crash; the request is refused either way.
      }
    }
    if (verdict.retryAfter === undefined) return refusal;
    return {
      kind: 'too_many_auth_failures',
      message: `too many failed authentications from ${remoteAddress}; try again in ${verdict.retryAfter} s with the token in $OMNIPALM_HOME/api-token as Authorization: Bearer <token> (requests carrying it are always served)`,
      headers: { 'Retry-After': String(verdict.retryAfter) },
    };
  };

  const handleApi = async (
    request: IncomingMessage,
    response: ServerResponse,
    pathname: string,
  ): Promise<void> => {
    const refusal = authorize(request, () => checkBearerToken(request, options.token));
    if (refusal) return sendRefusal(response, refusal);
    if (pathname === OPENAPI_PATH && options.openApi) {
      if (request.method !== 'GET') {
        return sendError(response, 'method_not_allowed', `${OPENAPI_PATH}: use GET`, {
          Allow: 'GET',
        });
      }
      return sendJson(response, 200, options.openApi());
    }
    const channel = pathname.slice('/api/'.length);
    if (!isChannel(channel)) {
      return sendError(
        response,
        'no_such_route',
        `no such channel: ${channel} (${OPENAPI_PATH} lists them)`,
      );
    }
    if (request.method !== 'POST') {
      return sendError(response, 'method_not_allowed', `${channel}: use POST`, { Allow: 'POST' });
    }
    // JSON only: an HTML form or a "simple" cross-site fetch can send text/plain without a
    // preflight; requiring application/json keeps those out even if everything else failed.
    if (!isJsonContentType(request.headers['content-type'])) {
      return sendError(
        response,
        'unsupported_media_type',
        'send the request as Content-Type: application/json',
      );
    }
    const body = await readBody(request, MAX_BODY_BYTES);
    if (body === 'too large') {
      response.setHeader('Connection', 'close');
      return sendError(
        response,
        'body_too_large',
        `the request body is larger than ${MAX_BODY_BYTES} bytes`,
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return sendError(response, 'bad_request', `${channel}: the request body is not valid JSON`);
    }
    const result = await dispatchHttpCall(
      options.handlers,
      channel,
      payload,
      options.onInternalError,
    );
    sendJson(response, result.status, result.body);
  };

  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    inFlight += 1;
    response.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
    if (closing) {
      response.setHeader('Connection', 'close');
      return sendError(response, 'shutting_down', 'the server is shutting down');
    }
    const refusal = checkHost(request, hostRules) ?? checkOrigin(request);
    if (refusal) return sendRefusal(response, refusal);
    // No CORS, ever: a preflight is always someone else's page asking to get in.
    if (request.method === 'OPTIONS') {
      return sendError(response, 'method_not_allowed', 'OPTIONS is not supported');
    }
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      handleApi(request, response, pathname).catch((error: unknown) => {
        reportInternal(options.onInternalError, pathname, error);
        if (!response.headersSent) {
          sendError(response, 'internal', `${pathname}: the server failed (a bug in OmniPalm)`);
        } else response.destroy();
      });
      return;
    }
    serveStatic(request, response, options.staticDir);
  };

  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (closing)
      return rejectUpgrade(socket, {
        kind: 'shutting_down',
        message: 'the server is shutting down',
      });
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    const refusal =
      checkHost(request, hostRules) ??
      checkOrigin(request) ??
      (pathname === EVENTS_PATH
        ? undefined
        : { kind: 'no_such_route' as const, message: `WebSockets live at ${EVENTS_PATH}` }) ??
      authorize(request, () => checkWebSocketToken(request, options.token));
    if (refusal) return rejectUpgrade(socket, refusal);
    stream.accept(request, socket, head);
  };

  const makeServer = (): http.Server => {
    const server = http.createServer(
      { requestTimeout: 30_000, headersTimeout: 10_000 },
      handleRequest,
    );
    server.on('upgrade', handleUpgrade);
    server.on('clientError', (_error, socket) => socket.destroy());
    return server;
  };

  const { servers, port, addresses } = await listenAll(plan, options.port ?? 0, makeServer);
  hostRules.port = port;
  hostRules.extraHosts = [
    ...(plan.remoteHost ? [`${plan.remoteHost}:${port}`] : []),
    ...(options.allowedHosts ?? []),
  ];
  const urls = addresses.map(
    (address) => `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
  );
  const openHost =
    plan.remoteHost === undefined
      ? (urls[0] ?? `http://127.0.0.1:${port}/`)
      : `http://127.0.0.1:${port}/`;

  let closed: Promise<void> | undefined;
  return {
    urls,
    port,
    openUrl: `${openHost}#token=${options.token}`,
    warnings: plan.remoteHost === undefined ? [] : [remoteWarning(options.host ?? '')],
    close: () => {
      closed ??= (async () => {
        closing = true;
        const stopped = servers.map(
          (server) => new Promise<void>((resolve) => server.close(() => resolve())),
        );
        for (const server of servers) server.closeIdleConnections();
        await stream.closeAll();
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        for (const server of servers) server.closeAllConnections();
        await Promise.all(stopped);
      })();
      return closed;
    },
  };
}

/**
 * One call through the shared dispatch (the IPC router uses the same), as an HTTP status:
 * apiErrors.ts maps the error's class to its status; a bug's details go to onInternalError.
 */
export async function dispatchHttpCall(
  handlers: ContractHandlers,
  channel: ChannelName,
  payload: unknown,
  onInternalError?: (where: string, error: unknown) => void,
): Promise<{ status: number; body: unknown }> {
  try {
    return { status: 200, body: await dispatchCall(handlers, channel, payload) };
  } catch (error) {
    const answer = answerForError(channel, error);
    if (answer.internal) reportInternal(onInternalError, channel, error);
    return { status: answer.status, body: answer.body };
  }
}

function reportInternal(
  report: ((where: string, error: unknown) => void) | undefined,
  where: string,
  error: unknown,
): void {
  try {
    report?.(where, error);
  } catch {
    // Reporting a bug must not become a second one; the caller answers 500 either way.
  }
}

function isChannel(name: string): name is ChannelName {
  return (channelNames as string[]).includes(name);
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every(
    (parameter) => !parameter.startsWith('charset=') || /^charset="?utf-8"?$/.test(parameter),
  );
}

function readBody(request: IncomingMessage, limit: number): Promise<string | 'too large'> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.resolve('too large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.pause();
        resolve('too large');
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function sendRefusal(response: ServerResponse, refusal: Refusal): void {
  sendError(response, refusal.kind, refusal.message, refusal.headers);
}

/** Every error answer: the status from apiErrors.ts's table, the body `{ error, kind }`. */
function sendError(
  response: ServerResponse,
  kind: ApiErrorKind,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(response, statusOf(kind), { error: message, kind }, headers);
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...jsonHeaders,
    ...headers,
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}
