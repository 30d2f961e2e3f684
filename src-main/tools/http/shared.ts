// What the HTTP, Jira and Slack tools share: the context, the plan, the limits, the policy call
// and the preview helpers. A plan is what the user confirms — the method, the exact URL and
// what is sent — with a fingerprint of all of it; execute() sends exactly that or nothing.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { OmniPalmConfig, SecretName } from '../../config/schema.js';
import type { HTTP_METHODS } from '../../policy/networkRules.js';
import type { Policy } from '../../policy/taskPolicy.js';
import type { PolicyDecision } from '../../policy/types.js';
import { visible } from '../email/recipients.js';
import type { Plan } from '../fs/shared.js';

export { visible };

export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface HttpToolContext {
  enforcer: Policy;
  /** The settings in force: integrations (network, jira, slack). */
  integrations: OmniPalmConfig['integrations'];
  /** The SecretStore's resolve, reduced to the value (undefined when the secret is not set). */
  resolveSecret: (name: SecretName) => string | undefined;
  signal?: AbortSignal;
  /** How long one tool call may take, redirects and reading included (default 30 s). */
  timeoutMs?: number;
}

export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;
export const MAX_RESPONSE_BYTES = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_REDIRECTS = 5;
/** Body lines shown in the confirmation; the rest is behind its "List" button. */
export const PREVIEW_BODY_LINES = 20;
/** A preview line longer than this is cut (a 1 MB one-line body would drown the dialog). */
export const PREVIEW_LINE_CHARS = 300;

export interface HttpPlan<Input> extends Plan<Input> {
  /** Everything that is sent, for the confirmation's "List" button, when the preview cut it. */
  fullList?: string[];
}

export interface HttpTool<Input, Result> {
  name: string;
  modelName: string;
  description: string;
  inputSchema: z.ZodType<Input>;
  operation: 'http_request';
  untrustedResult: boolean;
  plan(input: Input, context: HttpToolContext): HttpPlan<Input>;
  execute(plan: HttpPlan<Input>, context: HttpToolContext): Promise<Result>;
}

/** A request failed after the policy allowed it: unreachable, timed out, refused by the server. */
export class HttpToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpToolError';
  }
}

/** Changes when anything the user saw changes. */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export function denial(reason: string, rule: string): PolicyDecision {
  return { decision: 'deny', reason, risk: 'medium', rule, operations: ['http_request'] };
}

/** The policy's answer for one request, charging the api_calls rate limit unless a dry run. */
export function decideRequest(
  context: HttpToolContext,
  method: string,
  url: string,
  dryRun: boolean,
): PolicyDecision {
  return context.enforcer.decide({ op: 'http_request', method, url }, { dryRun });
}

function cut(line: string): string {
  const shown = visible(line);
  return shown.length > PREVIEW_LINE_CHARS
    ? `${shown.slice(0, PREVIEW_LINE_CHARS)}… (${shown.length - PREVIEW_LINE_CHARS} more characters)`
    : shown;
}

/** Preview lines for `text`: the first lines (each cut), and the whole text when that hid some. */
export function textPreview(text: string): { preview: string[]; full: string[]; cut: boolean } {
  const lines = text.split(/\r?\n/);
  const shown = lines.slice(0, PREVIEW_BODY_LINES).map(cut);
  const more = lines.length - PREVIEW_BODY_LINES;
  const wasCut = more > 0 || shown.some((line, index) => line !== visible(lines[index]!));
  return {
    preview: [...shown, ...(more > 0 ? [`… ${more} more line${more === 1 ? '' : 's'}`] : [])],
    full: lines.map(visible),
    cut: wasCut,
  };
}

/** `text` with every secret value replaced: what is returned or thrown never carries a token. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}
