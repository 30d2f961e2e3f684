// The browser tools. navigate is judged on the URL it opens; click, fill and screenshot on the
// URL of the page they act on (a click or a fill can submit data to it); screenshot also as a
// write of its file. read_text only reads the page already open: nothing is sent, so only a
// deny for that page (a blocked file, the browser switched off) stops it.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { openChecked } from '../../policy/openChecked.js';
import type { PolicyDecision } from '../../policy/types.js';
import { visible } from '../email/recipients.js';
import { PolicyDeniedError, resolvedPath, stricter } from '../fs/shared.js';
import { makeFolders } from '../fs/write.js';
import { NAVIGATION_TIMEOUT_MS, type BlockedRequest } from './browserSession.js';
import {
  authorizeOnPage,
  blockedReport,
  browserFingerprint,
  BrowserPageChangedError,
  decideUrl,
  NO_PAGE,
  quoted,
  shownUrl,
  untilAborted,
  type BrowserTool,
  type BrowserToolContext,
} from './shared.js';

/** Page text handed back to the model; the rest is cut. */
export const MAX_PAGE_TEXT_CHARS = 100 * 1024;
/** Characters of a typed value shown in the one-line summary (the preview shows all of it). */
const SUMMARY_VALUE_CHARS = 60;

const selector = z
  .string()
  .min(1)
  .max(1000)
  .describe('A Playwright selector: CSS ("#q", "form button[type=submit]") or "text=Sign in".');

interface PageResult {
  url: string;
  title: string;
  blockedRequests?: BlockedRequest[];
}

function onPageTargets(context: BrowserToolContext): { url: string } | undefined {
  const url = context.browser.currentUrl;
  return url === undefined ? undefined : { url };
}

function detailLines(decision: PolicyDecision, skip: string): string[] {
  return (decision.details ?? []).filter((line) => line !== skip).map(visible);
}

async function pageResult(context: BrowserToolContext): Promise<PageResult> {
  const page = await context.browser.page();
  return { url: page.url(), title: await page.title(), ...blockedReport(context) };
}

// ---------------------------------------------------------------- browser.navigate

const navigateSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .max(4096)
    .describe('The address to open: http(s)://… or a file:// URL inside the allowed folders.'),
});
export type NavigateInput = z.infer<typeof navigateSchema>;

export interface NavigateResult extends PageResult {
  /** The HTTP status of the final response; null for file: pages. */
  status: number | null;
}

function normalized(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

export const browserNavigate: BrowserTool<NavigateInput, NavigateResult> = {
  name: 'browser.navigate',
  modelName: 'browser_navigate',
  description:
    "Open a web page (http/https, or a file:// URL inside the allowed folders) in the task's headless browser. Returns the final URL, the title and the HTTP status; read the page with browser_read_text. Requests the page makes to forbidden places are blocked and listed.",
  inputSchema: navigateSchema,
  operation: 'browser',
  untrustedResult: true,

  plan(input, context) {
    const url = normalized(input.url);
    const decision = decideUrl(context, url, true);
    const opens = `opens ${url}`;
    return {
      tool: 'browser.navigate',
      input,
      targets: [url],
      decision,
      summary: `Open ${shownUrl(url)}`,
      preview: [visible(opens), ...detailLines(decision, opens)],
      fingerprint: browserFingerprint(['browser.navigate', url]),
    };
  },

  async execute(plan, context) {
    if (plan.decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, plan.decision);
    context.signal?.throwIfAborted();
    const url = plan.targets[0]!;
    const decision = decideUrl(context, url, false);
    if (decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, decision);
    const page = await untilAborted(context.browser.page(), context.signal);
    let status: number | null;
    try {
      const response = await untilAborted(
        page.goto(url, { waitUntil: 'load', timeout: NAVIGATION_TIMEOUT_MS }),
        context.signal,
      );
      status = response?.status() ?? null;
    } catch (error) {
      context.signal?.throwIfAborted();
      // A redirect to a forbidden place is refused by the session's request check.
      const blocked = context.browser.takeBlockedRequests();
      const why = blocked.length > 0 ? `; blocked: ${blocked[0]!.url}: ${blocked[0]!.reason}` : '';
      throw new Error(
        `browser.navigate: could not open ${url}: ${(error as Error).message.split('\n')[0]}${why}`,
        { cause: error },
      );
    }
    return { ...(await pageResult(context)), status };
  },
};

// ---------------------------------------------------------------- browser.read_text

const readTextSchema = z.strictObject({
  selector: selector
    .optional()
    .describe('Read only the first element matching this selector (default: the whole page).'),
});
export type ReadTextInput = z.infer<typeof readTextSchema>;

export interface ReadTextResult {
  url: string;
  title: string;
  text: string;
  /** Characters left out past MAX_PAGE_TEXT_CHARS. */
  truncatedChars?: number;
}

export const browserReadText: BrowserTool<ReadTextInput, ReadTextResult> = {
  name: 'browser.read_text',
  modelName: 'browser_read_text',
  description: `Read the visible text of the open page, or of one element of it (up to ${MAX_PAGE_TEXT_CHARS / 1024} KB).`,
  inputSchema: readTextSchema,
  operation: 'browser',
  untrustedResult: true,

  plan(input, context) {
    const open = onPageTargets(context);
    let decision: PolicyDecision = NO_PAGE;
    if (open) {
      // Nothing leaves the machine: an `ask` for sending data (read-only mode, a tainted task)
      // does not apply to reading what is already loaded; a deny (the page is a blocked file,
      // the browser was switched off) still does.
      const judged = context.enforcer.decide(
        { op: 'browser', url: open.url },
        { dryRun: true, canConfirm: true },
      );
      decision =
        judged.decision === 'deny'
          ? judged
          : {
              ...judged,
              decision: 'allow',
              reason: 'reads the page already open; nothing is sent',
              rule: 'browser.read_text',
            };
    }
    const where = open ? shownUrl(open.url) : 'the open page';
    return {
      tool: 'browser.read_text',
      input,
      targets: open ? [open.url] : [],
      decision,
      summary: input.selector
        ? `Read the text of ${visible(input.selector)} on ${where}`
        : `Read the text of ${where}`,
      preview: [
        `page: ${where}`,
        ...(input.selector ? [`element: ${visible(input.selector)}`] : []),
      ],
      fingerprint: browserFingerprint(['browser.read_text', open?.url, input.selector]),
    };
  },

  async execute(plan, context) {
    if (plan.decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, plan.decision);
    context.signal?.throwIfAborted();
    const plannedUrl = plan.targets[0]!;
    const page = await context.browser.page();
    if (context.browser.currentUrl !== plannedUrl) {
      throw new BrowserPageChangedError(plannedUrl, context.browser.currentUrl);
    }
    const text = await untilAborted(
      page
        .locator(plan.input.selector ?? 'body')
        .first()
        .innerText(),
      context.signal,
    );
    const extra = text.length - MAX_PAGE_TEXT_CHARS;
    return {
      url: page.url(),
      title: await page.title(),
      text: extra > 0 ? text.slice(0, MAX_PAGE_TEXT_CHARS) : text,
      ...(extra > 0 ? { truncatedChars: extra } : {}),
    };
  },
};

// ---------------------------------------------------------------- browser.click

const clickSchema = z.strictObject({
  selector: selector.describe('The element to click (the first match).'),
});
export type ClickInput = z.infer<typeof clickSchema>;

export const browserClick: BrowserTool<ClickInput, PageResult> = {
  name: 'browser.click',
  modelName: 'browser_click',
  description:
    'Click an element of the open page (a link, a button: it may submit a form). Returns the URL and title after the click.',
  inputSchema: clickSchema,
  operation: 'browser',
  untrustedResult: true,

  plan(input, context) {
    const open = onPageTargets(context);
    const decision = open ? decideUrl(context, open.url, true) : NO_PAGE;
    const where = open ? shownUrl(open.url) : 'the open page';
    return {
      tool: 'browser.click',
      input,
      targets: open ? [open.url] : [],
      decision,
      summary: `Click ${visible(input.selector)} on ${where}`,
      preview: [`click: ${visible(input.selector)}`, `page: ${where}`],
      fingerprint: browserFingerprint(['browser.click', open?.url, input.selector]),
    };
  },

  async execute(plan, context) {
    await authorizeOnPage(plan, context);
    const page = await context.browser.page();
    await untilAborted(page.click(plan.input.selector), context.signal);
    // A click that submits a form or follows a link starts a navigation: wait for its page.
    await untilAborted(page.waitForLoadState('load'), context.signal);
    return pageResult(context);
  },
};

// ---------------------------------------------------------------- browser.fill

const fillSchema = z.strictObject({
  selector: selector.describe('The input field to type into (the first match).'),
  value: z.string().max(10_000).describe('The text to put in the field (replaces what is there).'),
});
export type FillInput = z.infer<typeof fillSchema>;

export const browserFill: BrowserTool<FillInput, PageResult> = {
  name: 'browser.fill',
  modelName: 'browser_fill',
  description:
    'Type a value into an input field of the open page, replacing its content. The page can send what is typed to its server.',
  inputSchema: fillSchema,
  operation: 'browser',
  untrustedResult: true,

  plan(input, context) {
    const open = onPageTargets(context);
    const decision = open ? decideUrl(context, open.url, true) : NO_PAGE;
    const where = open ? shownUrl(open.url) : 'the open page';
    return {
      tool: 'browser.fill',
      input,
      targets: open ? [open.url] : [],
      decision,
      summary: `Type ${quoted(input.value, SUMMARY_VALUE_CHARS)} into ${visible(input.selector)} on ${where}`,
      preview: [
        `field: ${visible(input.selector)}`,
        `value: ${quoted(input.value)}`,
        `page: ${where}`,
      ],
      fingerprint: browserFingerprint(['browser.fill', open?.url, input.selector, input.value]),
    };
  },

  async execute(plan, context) {
    await authorizeOnPage(plan, context);
    const page = await context.browser.page();
    await untilAborted(page.fill(plan.input.selector, plan.input.value), context.signal);
    return pageResult(context);
  },
};

// ---------------------------------------------------------------- browser.screenshot

const screenshotSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .refine((value) => value.toLowerCase().endsWith('.png'), {
      error: 'the screenshot path must end in .png',
    })
    .describe('Where to save the PNG, inside the allowed folders; missing folders are created.'),
  fullPage: z
    .boolean()
    .optional()
    .describe('Capture the whole scrollable page instead of the visible part.'),
});
export type ScreenshotInput = z.infer<typeof screenshotSchema>;

export interface ScreenshotResult {
  path: string;
  bytes: number;
}

export const browserScreenshot: BrowserTool<ScreenshotInput, ScreenshotResult> = {
  name: 'browser.screenshot',
  modelName: 'browser_screenshot',
  description:
    'Save a PNG screenshot of the open page to a file inside the allowed folders. Returns the file path and size.',
  inputSchema: screenshotSchema,
  operation: 'browser',
  untrustedResult: false,

  plan(input, context) {
    const open = onPageTargets(context);
    const file = resolvedPath(context.enforcer.pathGuard, input.path, context.cwd);
    const write = context.enforcer.decide(
      { op: 'write', paths: [input.path], cwd: context.cwd },
      { dryRun: true },
    );
    const decision = open ? stricter(decideUrl(context, open.url, true), write) : NO_PAGE;
    const where = open ? shownUrl(open.url) : 'the open page';
    return {
      tool: 'browser.screenshot',
      input,
      targets: open ? [open.url, file] : [],
      decision,
      summary: `Save a screenshot of ${where} to ${visible(file)}`,
      preview: [`page: ${where}`, `file: ${visible(file)}`],
      fingerprint: browserFingerprint(['browser.screenshot', open?.url, file, input.fullPage]),
    };
  },

  async execute(plan, context) {
    await authorizeOnPage(plan, context);
    const file = plan.targets[1]!;
    const write = context.enforcer.decide({ op: 'write', paths: [file] }, { dryRun: false });
    if (write.decision === 'deny') throw new PolicyDeniedError(plan.tool, write);
    const page = await context.browser.page();
    const png = await untilAborted(
      page.screenshot({ type: 'png', fullPage: plan.input.fullPage === true }),
      context.signal,
    );
    makeFolders(context, path.dirname(file));
    // openChecked: a symlink swapped in after the check cannot redirect the write.
    const { constants } = fs;
    const { fd, realPath } = openChecked(
      context.enforcer.pathGuard,
      file,
      constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC,
      0o644,
    );
    try {
      let written = 0;
      while (written < png.length) written += fs.writeSync(fd, png, written, png.length - written);
      return { path: realPath, bytes: written };
    } finally {
      fs.closeSync(fd);
    }
  },
};

/** Every browser tool, in the order the model is offered them. */
export const browserTools = [
  browserNavigate,
  browserReadText,
  browserClick,
  browserFill,
  browserScreenshot,
] as const;
