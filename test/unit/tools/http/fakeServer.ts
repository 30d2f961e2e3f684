// A real HTTP server on 127.0.0.1 standing in for Jira, Slack or any site: it records every
// request (method, URL, headers, body) and answers with the test's handler. Closed after the file.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: RecordedRequest, response: http.ServerResponse) => void;

export interface FakeServer {
  port: number;
  /** "127.0.0.1:<port>", for integrations.network.allowed_hosts. */
  host: string;
  /** "http://127.0.0.1:<port>". */
  origin: string;
  requests: RecordedRequest[];
  /** Answers the next requests; the default answers 200 {"ok":true}. */
  handle(handler: Handler): void;
  /** Resolves when the next request has arrived (its body read). */
  nextRequest(): Promise<RecordedRequest>;
}

export function json(response: http.ServerResponse, status: number, data: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(data));
}

const defaultHandler: Handler = (_request, response) => json(response, 200, { ok: true });

export async function startFakeServer(): Promise<FakeServer> {
  let handler = defaultHandler;
  const waiting: ((request: RecordedRequest) => void)[] = [];
  const requests: RecordedRequest[] = [];
  const server = http.createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: RecordedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      for (const resolve of waiting.splice(0)) resolve(request);
      handler(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        // Handlers that never answer (timeout tests) leave connections open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
  };
}
