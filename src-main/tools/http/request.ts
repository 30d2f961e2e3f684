// http.request — one HTTP request to a host the user allowed (integrations.network.allowed_hosts
// or a configured integration). It never carries a stored token: the model may not add
// credentials of its own either (Authorization, Cookie, API-key headers are refused), so a
// prompt injected into a web page cannot turn this tool into a way to act as the user elsewhere.
import { z } from 'zod';
import { HTTP_METHODS, parseHttpUrl } from '../../policy/networkRules.js';
import { PolicyDeniedError } from '../fs/shared.js';
import {
  decideRequest,
  denial,
  fingerprintOf,
  MAX_REQUEST_BODY_BYTES,
  textPreview,
  visible,
  type HttpPlan,
  type HttpTool,
} from './shared.js';
import { exchange, type HttpAnswer } from './transport.js';

export const MAX_HEADERS = 50;
const MAX_HEADER_VALUE_CHARS = 8 * 1024;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers that would send credentials: the model could use them to act as someone. */
const CREDENTIAL_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'private-token',
]);
/** Headers that steer the connection itself (request smuggling, virtual-host tricks). */
const CONTROL_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
]);

/** Why these headers may not be sent, or undefined when they may. */
export function headerProblem(headers: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(headers ?? {});
  if (entries.length > MAX_HEADERS) return `at most ${MAX_HEADERS} headers`;
  for (const [name, value] of entries) {
    // A line break would end the header and start another one (header injection).
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
      return `the header ${JSON.stringify(name)} contains a line break`;
    }
    if (!HEADER_NAME.test(name)) return `${JSON.stringify(name)} is not a valid header name`;
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) || value.length > MAX_HEADER_VALUE_CHARS) {
      return `the header ${name} has control characters or is longer than ${MAX_HEADER_VALUE_CHARS} characters`;
    }
    const lower = name.toLowerCase();
    if (CREDENTIAL_HEADERS.has(lower)) {
      return `the header ${name} carries credentials, which http.request never sends; use the jira or slack tools for those services`;
    }
    if (CONTROL_HEADERS.has(lower)) {
      return `the header ${name} controls the connection and is set by OmniPalm itself`;
    }
  }
  return undefined;
}

const inputSchema = z
  .strictObject({
    method: z
      .enum(HTTP_METHODS)
      .default('GET')
      .describe('HTTP method; anything but GET, HEAD and OPTIONS is refused in read-only mode.'),
    url: z
      .string()
      .max(8192)
      .refine((value) => !('problem' in parseHttpUrl(value)), {
        error: (issue) => {
          const parsed = parseHttpUrl(String(issue.input));
          return 'problem' in parsed ? parsed.problem : 'not a valid URL';
        },
      })
      .describe(
        'Absolute http(s) URL. Its host must be in integrations.network.allowed_hosts or a configured integration.',
      ),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .refine((headers) => headerProblem(headers) === undefined, {
        error: (issue) => headerProblem(issue.input as Record<string, string>) ?? 'invalid headers',
      })
      .describe(
        'Extra request headers, e.g. {"Accept": "application/json"}. Credentials (Authorization, Cookie, API keys) and connection headers (Host, …) are refused.',
      ),
    body: z
      .string()
      .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_REQUEST_BODY_BYTES, {
        error: `the body may be at most ${MAX_REQUEST_BODY_BYTES / 1024 / 1024} MB`,
      })
      .optional()
      .describe('Request body (text, at most 1 MB); not allowed with GET or HEAD.'),
  })
  .refine((input) => input.body === undefined || !['GET', 'HEAD'].includes(input.method), {
    error: 'GET and HEAD requests have no body; use POST, PUT or PATCH to send one',
    path: ['body'],
  });
export type HttpRequestInput = z.infer<typeof inputSchema>;

function sortedHeaders(input: HttpRequestInput): [string, string][] {
  return Object.entries(input.headers ?? {}).sort(([a], [b]) =>
    a.toLowerCase().localeCompare(b.toLowerCase()),
  );
}

/** Changes when anything sent changes: method, URL, headers or body. */
export function requestFingerprint(input: HttpRequestInput): string {
  return fingerprintOf({
    tool: 'http.request',
    method: input.method,
    url: input.url,
    headers: sortedHeaders(input),
    body: input.body ?? null,
  });
}

/** The request's own problems (what zod refuses, again: plan may be called without it). */
function inputProblem(input: HttpRequestInput): string | undefined {
  const parsed = parseHttpUrl(input.url);
  if ('problem' in parsed) return parsed.problem;
  return headerProblem(input.headers);
}

function shownUrl(url: string): string {
  const parsed = parseHttpUrl(url);
  return visible('url' in parsed ? parsed.url.href : url);
}

export const httpRequest: HttpTool<HttpRequestInput, HttpAnswer> = {
  name: 'http.request',
  modelName: 'http_request',
  description:
    'Make one HTTP request to an allowed host (integrations.network.allowed_hosts or a configured integration) and return the status, a few headers and the body as text (at most 1 MB; binary content is summarised). Redirects are followed up to 5 times, each only to allowed hosts. No stored credentials are attached.',
  inputSchema,
  operation: 'http_request',
  untrustedResult: true,

  plan(input, context) {
    const problem = inputProblem(input);
    const decision = problem
      ? denial(problem, 'input')
      : decideRequest(context, input.method, input.url, true);
    const requestLine = `${input.method} ${shownUrl(input.url)}`;
    const headerLines = sortedHeaders(input).map(([name, value]) => visible(`${name}: ${value}`));
    const body = input.body === undefined ? undefined : textPreview(input.body);
    const plan: HttpPlan<HttpRequestInput> = {
      tool: 'http.request',
      input,
      targets: [input.url],
      decision,
      summary: requestLine,
      preview: [requestLine, ...headerLines, ...(body ? ['', ...body.preview] : [])],
      fingerprint: requestFingerprint(input),
    };
    if (body?.cut) plan.fullList = [requestLine, ...headerLines, '', ...body.full];
    return plan;
  },

  async execute(plan, context) {
    if (plan.decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, plan.decision);
    // The confirmation covered the fingerprint: a request edited after it is not what was approved.
    if (requestFingerprint(plan.input) !== plan.fingerprint) {
      throw new Error('http.request: the request changed after it was previewed; nothing was sent');
    }
    const { input } = plan;
    const problem = inputProblem(input);
    if (problem) throw new PolicyDeniedError(plan.tool, denial(problem, 'input'));
    context.signal?.throwIfAborted();
    const decision = decideRequest(context, input.method, input.url, false);
    if (decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, decision);
    return exchange(
      { method: input.method, url: input.url, headers: input.headers ?? {}, body: input.body },
      context,
      { tool: plan.tool },
    );
  },
};
