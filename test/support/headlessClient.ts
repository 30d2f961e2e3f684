// Raw clients for the headless server: node's http (fetch forbids setting Host and Origin)
// and ws with chosen headers and subprotocols, so tests can send what an attacker would.
import http from 'node:http';
import { WebSocket } from 'ws';
import {
  channelNames,
  type ChannelName,
  type ContractHandlers,
  type EventEmitter,
} from '../../src-preload/contract';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  port: number;
  /** The address connected to; the Host header is separate. */
  address?: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: http.Agent;
}

export function rawRequest(request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: request.address ?? '127.0.0.1',
        port: request.port,
        method: request.method ?? 'POST',
        path: request.path,
        headers: { Host: `127.0.0.1:${request.port}`, ...request.headers },
        ...(request.agent ? { agent: request.agent } : { agent: false }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** A JSON call as the renderer makes it: Host, token and Content-Type all right. */
export function callApi(
  port: number,
  token: string,
  channel: string,
  payload: unknown = {},
  agent?: http.Agent,
): Promise<RawResponse> {
  return rawRequest({
    port,
    path: `/api/${channel}`,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
    ...(agent ? { agent } : {}),
  });
}

export interface EventsConnection {
  socket: WebSocket;
  /** Resolves with the next message, parsed. */
  next(): Promise<{ event: string; payload: unknown }>;
}

/** Opens /api/events; rejects with the HTTP status when the upgrade is refused. */
export function connectEvents(
  port: number,
  options: { token?: string; origin?: string; host?: string; protocols?: string[] } = {},
): Promise<EventsConnection> {
  const protocols = options.protocols ?? [
    'omnipalm.v1',
    ...(options.token === undefined ? [] : [`omnipalm.token.${options.token}`]),
  ];
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/events`, protocols, {
    headers: { Host: options.host ?? `127.0.0.1:${port}` },
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  });
  const queue: { event: string; payload: unknown }[] = [];
  const waiting: ((message: { event: string; payload: unknown }) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as { event: string; payload: unknown };
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () =>
      resolve({
        socket,
        next: () => {
          const queued = queue.shift();
          return queued ? Promise.resolve(queued) : new Promise((done) => waiting.push(done));
        },
      }),
    );
    socket.once('unexpected-response', (_request, response) => {
      reject(
        Object.assign(new Error(`upgrade refused: ${response.statusCode}`), {
          status: response.statusCode,
        }),
      );
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** Stub handlers that count their calls, and an event source tests can push through. */
export function makeStubCore(): {
  handlers: ContractHandlers;
  calls: string[];
  subscribe: (emit: EventEmitter) => () => void;
  emitters: Set<EventEmitter>;
  push: EventEmitter;
} {
  const calls: string[] = [];
  const emitters = new Set<EventEmitter>();
  // Every channel answers "not stubbed" (and is counted) except the few the tests use, so
  // a channel added to the contract later needs no change here.
  const stubbed: Partial<Record<ChannelName, (request: unknown) => unknown>> = {
    'app.getStatus': () => ({ version: '9.9.9', mode: 'headless', platform: process.platform }),
    'terminal.list': () => ({ sessions: [] }),
    'terminal.resize': () => {
      throw new Error('no such session');
    },
  };
  const handlers = Object.fromEntries(
    channelNames.map((channel) => [
      channel,
      (request: unknown) => {
        calls.push(channel);
        const handler = stubbed[channel];
        if (!handler) throw new Error(`${channel} is not stubbed`);
        return handler(request);
      },
    ]),
  ) as unknown as ContractHandlers;
  return {
    handlers,
    calls,
    emitters,
    subscribe: (emit) => {
      emitters.add(emit);
      return () => emitters.delete(emit);
    },
    push: (event, payload) => {
      for (const emit of [...emitters]) emit(event, payload);
    },
  };
}
