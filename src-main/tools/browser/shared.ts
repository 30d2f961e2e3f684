// What the browser tools share: the context, the Plan shape, and the checks an action on the
// open page passes — the policy's answer for the page's URL, charged at execution, and the
// page still being the one the user saw in the preview.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Policy } from '../../policy/taskPolicy.js';
import type { PolicyDecision } from '../../policy/types.js';
import { visible } from '../email/recipients.js';
import { PolicyDeniedError, type Plan } from '../fs/shared.js';
import type { BlockedRequest, BrowserSession } from './browserSession.js';

export interface BrowserToolContext {
  enforcer: Policy;
  /** The task's browser: started on first use, closed by the caller when the task ends. */
  browser: BrowserSession;
  /** The task's working folder: relative screenshot paths are resolved in it. */
  cwd: string;
  signal?: AbortSignal;
}

export interface BrowserTool<Input, Result> {
  name: `browser.${string}`;
  modelName: `browser_${string}`;
  description: string;
  inputSchema: z.ZodType<Input>;
  operation: 'browser';
  /** Its result carries text a web page chose. */
  untrustedResult: boolean;
  plan(input: Input, context: BrowserToolContext): Plan<Input>;
  execute(plan: Plan<Input>, context: BrowserToolContext): Promise<Result>;
}

export class BrowserPageChangedError extends Error {
  constructor(
    readonly plannedUrl: string,
    readonly url: string | undefined,
  ) {
    super(
      `the page changed from ${plannedUrl} to ${url ?? 'no page'} since the preview; nothing was done. Plan the action again.`,
    );
    this.name = 'BrowserPageChangedError';
  }
}

/** Changes when anything the user saw changes. */
export function browserFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The policy's answer for the browser visiting (or acting on) `url`. */
export function decideUrl(
  context: BrowserToolContext,
  url: string,
  dryRun: boolean,
): PolicyDecision {
  return context.enforcer.decide({ op: 'browser', url }, { dryRun });
}

export const NO_PAGE: PolicyDecision = {
  decision: 'deny',
  reason: 'no page is open in this task; open one with browser_navigate first',
  risk: 'low',
  rule: 'browser.page',
  operations: ['browser'],
};

/** A URL for a preview line: parsed and normalized when it parses, escaped either way. */
export function shownUrl(url: string): string {
  try {
    return visible(new URL(url).href);
  } catch {
    return visible(url);
  }
}

/** A value for a preview line, quoted, escaped, cut at `limit` characters. */
export function quoted(value: string, limit = Infinity): string {
  const cut = value.length > limit ? `${value.slice(0, limit)}…` : value;
  return visible(JSON.stringify(cut));
}

/**
 * Refuses a denied plan or a page that moved since the preview, then charges the real
 * decision for the page's URL.
 */
export async function authorizeOnPage<Input>(
  plan: Plan<Input>,
  context: BrowserToolContext,
): Promise<void> {
  if (plan.decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, plan.decision);
  context.signal?.throwIfAborted();
  const plannedUrl = plan.targets[0]!;
  const url = context.browser.currentUrl;
  // The policy answered for the page in the preview; a page that navigated itself since then
  // (a script, a meta refresh) is a different target, and the user is asked again.
  if (url !== plannedUrl) throw new BrowserPageChangedError(plannedUrl, url);
  const decision = decideUrl(context, url, false);
  if (decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, decision);
}

/** Waits for `work`, or rejects as soon as `signal` aborts (the work is left to settle). */
export async function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  // A rejection after an abort has nobody waiting for it; it must not become unhandled.
  work.catch(() => undefined);
  if (!signal) return work;
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/** `{ blockedRequests }` when the page tried requests the policy refused, else nothing. */
export function blockedReport(context: BrowserToolContext): {
  blockedRequests?: BlockedRequest[];
} {
  const blocked = context.browser.takeBlockedRequests();
  return blocked.length > 0 ? { blockedRequests: blocked } : {};
}
