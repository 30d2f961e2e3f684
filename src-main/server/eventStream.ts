// The WebSocket at /api/events: contract events pushed to the browser. Each accepted socket
// subscribes on its own, so the core knows how many front doors are really attached (a
// confirmation nobody can see must be denied, not left waiting). The socket is one-way:
// a message from the client closes it (1003), since nothing in the contract listens.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { events, type EventEmitter, type EventName } from '../../src-preload/contract';
import { statusOf } from './apiErrors';
import { WEBSOCKET_PROTOCOL, type Refusal } from './requestGuards';

/** Past this much unsent data a client is too slow to follow; it is dropped, not buffered. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const CLOSE_GRACE_MS = 2000;

export type EventSubscriber = (emit: EventEmitter) => () => void;

export class EventStream {
  private readonly server = new WebSocketServer({
    noServer: true,
    // Nothing is read from the client, so a large frame is only ever an attack on memory.
    maxPayload: 4096,
    perMessageDeflate: false,
    handleProtocols: (protocols) =>
      protocols.has(WEBSOCKET_PROTOCOL) ? WEBSOCKET_PROTOCOL : false,
  });
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly subscribe: EventSubscriber) {}

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Completes an upgrade that already passed the Host, Origin and token checks. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.attach(ws));
  }

  /** Closes every socket with 1001 (going away); resolves once they are all gone. */
  async closeAll(): Promise<void> {
    const closing = [...this.sockets].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1001, 'server shutting down');
          setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
        }),
    );
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private attach(ws: WebSocket): void {
    this.sockets.add(ws);
    let unsubscribe: (() => void) | undefined;
    const detach = (): void => {
      this.sockets.delete(ws);
      unsubscribe?.();
      unsubscribe = undefined;
    };
    ws.on('close', detach);
    ws.on('error', () => ws.terminate());
    ws.on('message', () => ws.close(1003, 'this stream takes no messages'));
    const emit = (<E extends EventName>(event: E, payload: unknown): void => {
      // As for IPC: nothing leaves main that the contract does not name, and a payload of
      // the wrong shape is a bug in main that the page must not have to survive.
      const parsed = events[event].safeParse(payload);
      if (!parsed.success)
        throw new Error(`${event}: main produced an event that breaks the contract`);
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        // 1013 "try again later": the page reconnects and re-reads state with the calls.
        detach();
        ws.close(1013, 'client too slow');
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
        return;
      }
      ws.send(JSON.stringify({ event, payload: parsed.data }));
    }) as EventEmitter;
    unsubscribe = this.subscribe(emit);
    if (ws.readyState !== ws.OPEN) detach();
  }
}

/** Refuses an upgrade with a plain HTTP answer, before any WebSocket exists. */
export function rejectUpgrade(socket: Duplex, refusal: Refusal): void {
  const status = statusOf(refusal.kind);
  const body = JSON.stringify({ error: refusal.message, kind: refusal.kind });
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
    ...refusal.headers,
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}\r\n\r\n${body}`);
}
