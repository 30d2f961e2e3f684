// Helpers for the `omnipalm run` scenarios: loopback stand-ins the scripted model server does not
// cover (a model API that never answers or refuses the key, an SMTP server, a web page with
// injected instructions), and readers for what the model was sent and what the CLI printed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { CliResult } from '../../support/runCli.js';
import type { RecordedRequest } from '../../support/scriptedModelServer.js';

/** `omnipalm run --json`'s one line on stdout. */
export interface RunOutcome {
  status: 'done' | 'denied' | 'stopped' | 'error';
  text: string;
  refused: { tool: string; by: string; reason: string }[];
  stopReason?: { limit: string; value: number; message: string };
  error?: string;
  iterations: number;
  costUsd: number;
  taskId: string;
  exitCode: number;
}

/** The JSON outcome of a `--json` run; fails with the whole output when there is none. */
export function outcomeOf(result: CliResult): RunOutcome {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as RunOutcome;
  } catch {
    throw new Error(
      `no JSON outcome (exit ${result.code})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}

interface SentBlock {
  type: string;
  text?: string;
  content?: unknown;
  tool_use_id?: string;
}

interface SentBody {
  system?: string | { type: string; text: string }[];
  messages: { role: string; content: string | SentBlock[] }[];
}

function bodyOf(request: RecordedRequest): SentBody {
  return JSON.parse(request.body) as SentBody;
}

/** The system prompt a model request carried, as one string. */
export function systemOf(request: RecordedRequest): string {
  const { system } = bodyOf(request);
  if (system === undefined) return '';
  return typeof system === 'string' ? system : system.map((block) => block.text).join('\n');
}

/** The tool_result contents of a model request, oldest first, as text. */
export function toolResultsOf(request: RecordedRequest): string[] {
  const results: string[] = [];
  for (const message of bodyOf(request).messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type !== 'tool_result') continue;
      const { content } = block;
      if (typeof content === 'string') results.push(content);
      else if (Array.isArray(content)) {
        results.push(
          (content as SentBlock[]).map((part) => (part.type === 'text' ? part.text : '')).join(''),
        );
      }
    }
  }
  return results;
}

/** A loopback model API whose every request the test answers (or never answers) itself. */
export interface RawModelServer {
  baseURL: string;
  requests: RecordedRequest[];
  /** Resolves when the first request has arrived. */
  firstRequest: Promise<RecordedRequest>;
  /** Resolves when the client closed a connection whose request was never answered. */
  abandoned: Promise<void>;
  close: () => Promise<void>;
}

export async function startRawModelServer(
  answer: (request: RecordedRequest, response: http.ServerResponse) => void,
): Promise<RawModelServer> {
  const requests: RecordedRequest[] = [];
  let arrived!: (request: RecordedRequest) => void;
  const firstRequest = new Promise<RecordedRequest>((resolve) => (arrived = resolve));
  let gaveUp!: () => void;
  const abandoned = new Promise<void>((resolve) => (gaveUp = resolve));
  const server = http.createServer((incoming, response) => {
    let body = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk: string) => (body += chunk));
    incoming.on('end', () => {
      const request: RecordedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body,
      };
      requests.push(request);
      response.on('close', () => {
        if (!response.writableEnded) gaveUp();
      });
      arrived(request);
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    firstRequest,
    abandoned,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A model API that receives the request and never answers it. */
export function startHangingModelServer(): Promise<RawModelServer> {
  return startRawModelServer(() => {
    // Never answered: only the task's own timeout can end the wait.
  });
}

/** A model API that refuses every key with 401, as the Anthropic API does. */
export function startUnauthorizedModelServer(): Promise<RawModelServer> {
  return startRawModelServer((_request, response) => {
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key' },
      }),
    );
  });
}

export interface ReceivedMail {
  from: string;
  /** The envelope's RCPT TO addresses: who really gets it. */
  recipients: string[];
  headers: Map<string, string>;
  body: string;
}

export interface LoopbackSmtp {
  port: number;
  received: ReceivedMail[];
  close: () => Promise<void>;
}

function parseMail(raw: string, from: string, recipients: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { from, recipients, headers, body: raw.slice(split + 4).replace(/\r\n$/, '') };
}

/** An SMTP server on loopback without auth or STARTTLS; it accepts every recipient. */
export async function startLoopbackSmtp(): Promise<LoopbackSmtp> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const recipients = session.envelope.rcptTo.map((recipient) => recipient.address);
        received.push(parseMail(Buffer.concat(chunks).toString('utf8'), from, recipients));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** integrations.email for a loopback SMTP server: no login, no TLS (allowed on loopback only). */
export function loopbackEmail(port: number) {
  return {
    enabled: true,
    smtp: { host: '127.0.0.1', port, secure: false, from: 'omnipalm@example.com' },
  };
}

export interface LoopbackSite {
  /** "127.0.0.1:<port>", for integrations.network.allowed_hosts. */
  host: string;
  /** "http://127.0.0.1:<port>". */
  origin: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

/** A web server on loopback: GET answers `page` as text/html, anything else 200 "ok". */
export async function startLoopbackSite(page: string): Promise<LoopbackSite> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((incoming, response) => {
    let body = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk: string) => (body += chunk));
    incoming.on('end', () => {
      requests.push({
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body,
      });
      if (incoming.method === 'GET') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(page);
      } else {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
