// One HTTP exchange as every tool here makes it: redirects followed by hand (at most 5, each new
// URL judged by the policy, so a redirect cannot carry a request to a host the user never
// allowed), one deadline for the whole exchange plus the task's abort signal, and at most 1 MB
// of the answer read. Credentials go only to the origin the user approved.
import { PolicyDeniedError } from '../fs/shared.js';
import {
  decideRequest,
  DEFAULT_TIMEOUT_MS,
  HttpToolError,
  MAX_REDIRECTS,
  MAX_RESPONSE_BYTES,
  scrub,
  type HttpMethod,
  type HttpToolContext,
} from './shared.js';

export interface OutgoingRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface ExchangeOptions {
  /** The tool's dotted name, for errors. */
  tool: string;
  /** Headers only the approved origin may see (an integration's Authorization). */
  credentials?: Record<string, string>;
  /** Values that must never appear in what is returned or thrown (the token and its encodings). */
  secrets?: string[];
}

export interface HttpAnswer {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  statusText: string;
  /** content-type, content-length, location and retry-after, when the server sent them. */
  headers: Record<string, string>;
  /** The text of the answer; for binary content, a note with its size instead. */
  body: string;
  /** True when the answer was longer than 1 MB and only its start was read. */
  truncated: boolean;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const KEPT_HEADERS = ['content-type', 'content-length', 'location', 'retry-after'];
const TEXT_TYPE =
  /^(text\/|application\/(javascript|ecmascript|x-www-form-urlencoded|x-ndjson|ndjson|yaml|x-yaml|graphql|csv)$)|[/+](json|xml)$/;

/** Whether the answer is text (by its content type, or, without one, by having no NUL bytes). */
function isText(contentType: string | null, bytes: Uint8Array): boolean {
  if (!contentType) return !bytes.subarray(0, 1024).includes(0);
  return TEXT_TYPE.test(contentType.split(';')[0]!.trim().toLowerCase());
}

function decode(bytes: Uint8Array, contentType: string | null): string {
  const charset = /charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the best guess the model can still read.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

async function readCapped(response: Response): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks, total), truncated: false };
    const room = MAX_RESPONSE_BYTES - total;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      total += room;
      // The rest is never read: a huge (or endless) answer costs 1 MB, not the task's memory.
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks, total), truncated: true };
    }
    chunks.push(value);
    total += value.byteLength;
  }
}

/** The method and body after a redirect, as browsers do: 303 (and 301/302 after POST) become GET. */
function redirected(request: OutgoingRequest, status: number, url: string): OutgoingRequest {
  const toGet =
    (status === 303 && request.method !== 'HEAD') ||
    ((status === 301 || status === 302) && request.method === 'POST');
  if (!toGet) return { ...request, url };
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(
      ([name]) => !/^content-/i.test(name), // they described the body that is no longer sent
    ),
  );
  return { method: 'GET', url, headers };
}

function failure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/** Sends `request` (already allowed by the policy) and reads its answer. */
export async function exchange(
  first: OutgoingRequest,
  context: HttpToolContext,
  options: ExchangeOptions,
): Promise<HttpAnswer> {
  const { tool } = options;
  const secrets = options.secrets ?? [];
  const approvedOrigin = new URL(first.url).origin;
  const timeoutMs = context.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = context.signal ? AbortSignal.any([context.signal, deadline]) : deadline;
  let request = first;

  const explain = (error: unknown, what: string): Error => {
    if (context.signal?.aborted) return context.signal.reason as Error;
    if (deadline.aborted) {
      return new HttpToolError(
        `${tool}: ${request.method} ${request.url} took longer than ${timeoutMs / 1000} s and was stopped; try again later or ask for less`,
      );
    }
    if (error instanceof HttpToolError || error instanceof PolicyDeniedError) return error;
    // Messages from fetch can quote header values: the token must not ride along.
    return new HttpToolError(scrub(`${tool}: ${what}: ${failure(error)}`, secrets));
  };

  for (let hops = 0; ; hops++) {
    const sameOrigin = new URL(request.url).origin === approvedOrigin;
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: { ...request.headers, ...(sameOrigin ? options.credentials : {}) },
        ...(request.body !== undefined ? { body: request.body } : {}),
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      throw explain(error, `could not reach ${new URL(request.url).host}`);
    }

    const location = response.headers.get('location');
    if (REDIRECT_STATUSES.has(response.status) && location !== null) {
      await response.body?.cancel().catch(() => undefined);
      let target: string;
      try {
        target = new URL(location, request.url).href;
      } catch {
        throw new HttpToolError(
          `${tool}: ${request.url} redirected to an invalid address ${JSON.stringify(location)}; nothing more was sent`,
        );
      }
      if (hops >= MAX_REDIRECTS) {
        throw new HttpToolError(
          `${tool}: more than ${MAX_REDIRECTS} redirects (the last one to ${target}); stopped there`,
        );
      }
      const next = redirected(request, response.status, target);
      // Each hop is a request of its own: judged, and charged to the rate limit.
      const decision = decideRequest(context, next.method, next.url, false);
      if (decision.decision === 'deny') {
        throw new PolicyDeniedError(tool, {
          ...decision,
          reason: `the server redirected to ${next.url}, which is refused: ${decision.reason}`,
        });
      }
      // The user approved one site; a site that would need asking was not part of that answer.
      if (decision.decision === 'ask' && new URL(next.url).origin !== approvedOrigin) {
        throw new PolicyDeniedError(tool, {
          ...decision,
          decision: 'deny',
          reason: `the server redirected to ${next.url}, another site than the one approved (${decision.reason}); ask for that URL directly`,
        });
      }
      request = next;
      continue;
    }

    let read: { bytes: Uint8Array; truncated: boolean };
    try {
      read = await readCapped(response);
    } catch (error) {
      throw explain(error, `reading the answer from ${new URL(request.url).host} failed`);
    }
    const contentType = response.headers.get('content-type');
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) headers[name] = scrub(value, secrets);
    }
    const size = `${read.truncated ? 'more than ' : ''}${read.bytes.byteLength} bytes`;
    const body = isText(contentType, read.bytes)
      ? scrub(decode(read.bytes, contentType), secrets)
      : `[binary content (${contentType ?? 'no content type'}), ${size}, not shown]`;
    return {
      url: request.url,
      status: response.status,
      statusText: response.statusText,
      headers,
      body,
      truncated: read.truncated,
    };
  }
}
