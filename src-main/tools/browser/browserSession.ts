// BrowserSession — one headless Chromium per task, started on first use and closed by the
// caller when the task ends. Every request a page makes (the page itself, its images, frames,
// scripts, redirects, form posts, WebSockets) is judged by the policy before it leaves:
// without that, a page the user allowed could pull file:///home/me/.ssh/id_rsa into a frame,
// or a script could open ws: or ftp: connections the policy never saw.
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright';
import { scrubEnvironment } from '../../secrets/environment.js';
import type { Policy } from '../../policy/taskPolicy.js';

/** Tried in order when integrations.browser.executable_path is not set. */
export const SYSTEM_CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
] as const;

/** Kept per session; a page that keeps asking for blocked URLs cannot grow it without end. */
export const MAX_BLOCKED_REPORTED = 50;
const MAX_REPORTED_URL_CHARS = 300;

export const NAVIGATION_TIMEOUT_MS = 30_000;
export const ACTION_TIMEOUT_MS = 10_000;

export interface BrowserSessionOptions {
  /** The task's policy: judges every request a page makes. */
  policy: Policy;
  /** integrations.browser.executable_path: used as is, never replaced by a guess. */
  executablePath?: string | undefined;
  /** Where to look when executablePath is not set (SYSTEM_CHROMIUM_PATHS by default). */
  candidates?: readonly string[];
  /** Secret values the app holds: variables containing them never reach the browser. */
  secrets?: Iterable<string>;
}

export interface BlockedRequest {
  url: string;
  reason: string;
}

export class BrowserLaunchError extends Error {
  constructor(executable: string | undefined, cause: unknown) {
    const detail = ((cause as Error)?.message ?? String(cause)).split('\n')[0];
    super(
      `could not start the browser (${executable ?? "Playwright's own Chromium"}): ${detail}. ` +
        'Install Chromium, or point integrations.browser.executable_path at a Chromium or Chrome executable: ' +
        'omnipalm config set integrations.browser.executable_path /path/to/chromium',
      { cause },
    );
    this.name = 'BrowserLaunchError';
  }
}

/** The executable to launch: the configured one, else the first system Chromium found. */
export function resolveExecutable(
  configured: string | undefined,
  candidates: readonly string[] = SYSTEM_CHROMIUM_PATHS,
): string | undefined {
  if (configured !== undefined) return configured;
  return candidates.find((candidate) => fs.existsSync(candidate));
}

function shortened(url: string): string {
  return url.length <= MAX_REPORTED_URL_CHARS ? url : `${url.slice(0, MAX_REPORTED_URL_CHARS)}…`;
}

/** A WebSocket goes to the same host as http(s) would: judge it as that. */
function asJudgedUrl(url: string): string {
  return url.replace(/^ws(s?):/i, 'http$1:');
}

interface Running {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

export class BrowserSession {
  private starting: Promise<Running> | undefined;
  private running: Running | undefined;
  private closed = false;
  private blocked: BlockedRequest[] = [];
  private blockedDropped = 0;

  constructor(private readonly options: BrowserSessionOptions) {}

  /** The open page's URL, or undefined before the first navigation (or after close). */
  get currentUrl(): string | undefined {
    const url = this.running?.page.url();
    return url === undefined || url === 'about:blank' ? undefined : url;
  }

  /** The running browser (tests check it is gone after close). */
  get browser(): Browser | undefined {
    return this.running?.browser;
  }

  /** The task's page, starting the browser on first use. */
  async page(): Promise<Page> {
    if (this.closed) throw new Error('the browser session was closed');
    this.starting ??= this.start();
    const running = await this.starting;
    if (this.closed) throw new Error('the browser session was closed');
    return running.page;
  }

  /** Requests refused since the last call (and how many more were not kept). */
  takeBlockedRequests(): BlockedRequest[] {
    const taken = this.blocked;
    if (this.blockedDropped > 0) {
      taken.push({ url: '…', reason: `${this.blockedDropped} more blocked requests not listed` });
    }
    this.blocked = [];
    this.blockedDropped = 0;
    return taken;
  }

  /** Closes the browser and everything in it; safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    const starting = this.starting;
    this.starting = undefined;
    this.running = undefined;
    if (!starting) return;
    let running: Running;
    try {
      running = await starting;
    } catch {
      return; // It never started: nothing to close.
    }
    await running.browser.close().catch(() => undefined);
  }

  private async start(): Promise<Running> {
    const executable = resolveExecutable(this.options.executablePath, this.options.candidates);
    const env: Record<string, string> = {};
    const scrubbed = scrubEnvironment(process.env, this.options.secrets ?? []);
    for (const [name, value] of Object.entries(scrubbed))
      if (value !== undefined) env[name] = value;
    let browser: Browser;
    try {
      browser = await chromium.launch({
        ...(executable ? { executablePath: executable } : {}),
        headless: true,
        // Chromium refuses to start its sandbox as root; anywhere else the sandbox stays on.
        chromiumSandbox: process.getuid?.() !== 0,
        env,
        timeout: NAVIGATION_TIMEOUT_MS,
      });
    } catch (error) {
      throw new BrowserLaunchError(executable, error);
    }
    try {
      // A fresh profile each task: no cookies, logins or history carried between tasks; no
      // downloads (a page cannot drop files), no service workers (they would run outside
      // context.route), no permissions (camera, location, clipboard…).
      const context = await browser.newContext({
        acceptDownloads: false,
        serviceWorkers: 'block',
        permissions: [],
      });
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
      await context.route('**/*', (route) => this.judgeRequest(route));
      await context.routeWebSocket(
        () => true,
        (socket) => {
          const refusal = this.refusal(socket.url());
          if (refusal) return socket.close({ code: 1008, reason: 'blocked by policy' });
          socket.connectToServer();
        },
      );
      const page = await context.newPage();
      // Popups would be pages the tools cannot see or close; the task has one page.
      context.on('page', (other) => {
        if (other !== page) void other.close().catch(() => undefined);
      });
      const running = { browser, context, page };
      if (this.closed) {
        await browser.close().catch(() => undefined);
        throw new Error('the browser session was closed');
      }
      this.running = running;
      return running;
    } catch (error) {
      await browser.close().catch(() => undefined);
      throw error;
    }
  }

  /** Why the policy refuses `url` (recorded), or undefined when it may load. */
  private refusal(url: string): string | undefined {
    // Dry run: the action that caused the request was charged already. canConfirm: an `ask`
    // (read-only mode, a tainted task) was answered when the action itself was approved;
    // only a deny (a blocked file, a scheme other than http/https/file) stops a request.
    let reason: string;
    try {
      const decision = this.options.policy.decide(
        { op: 'browser', url: asJudgedUrl(url) },
        { dryRun: true, canConfirm: true },
      );
      if (decision.decision !== 'deny') return undefined;
      reason = decision.reason;
    } catch (error) {
      // Fail closed: a request the policy could not judge does not leave.
      reason = `the policy check failed: ${(error as Error).message}`;
    }
    if (this.blocked.length < MAX_BLOCKED_REPORTED) {
      this.blocked.push({ url: shortened(url), reason });
    } else {
      this.blockedDropped += 1;
    }
    return reason;
  }

  private async judgeRequest(route: Route): Promise<void> {
    try {
      if (this.refusal(route.request().url())) await route.abort('blockedbyclient');
      else await route.continue();
    } catch {
      // The page or browser went away while the request was judged: nothing left to route.
    }
  }
}
