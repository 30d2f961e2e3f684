// A real PolicyEnforcer over a temp home (allowed ~/work and ~/docs; blocked ~/.ssh and
// ~/work/secrets) and a loopback HTTP server with a few small pages, so the browser tools are
// tested end to end against real Chromium without leaving the machine.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll } from 'vitest';
import { configSchema } from '../../../../src-main/config/schema.js';
import { rateLimitsOf } from '../../../../src-main/policy/index.js';
import { PolicyEnforcer } from '../../../../src-main/policy/policyEnforcer.js';
import { RateLimiter } from '../../../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../../../src-main/policy/shellAnalysis.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(`${CHROMIUM} is missing: the browser tests that drive Chromium are skipped`);
}

const limiters: RateLimiter[] = [];
afterAll(() => limiters.forEach((limiter) => limiter.close()));

export interface BrowserSandbox {
  home: string;
  work: string;
  enforcer: PolicyEnforcer;
  /** Writes a file under the home folder (creating folders) and returns its path. */
  file: (relative: string, content?: string) => string;
}

/** `browser` is the integrations.browser section; absent means the default (disabled). */
export async function makeBrowserSandbox(
  browser?: Record<string, unknown>,
): Promise<BrowserSandbox> {
  const home = path.join(makeTempFolder('omnipalm-browser-'), 'home');
  const work = path.join(home, 'work');
  for (const folder of [work, path.join(work, 'secrets'), path.join(home, '.ssh')]) {
    fs.mkdirSync(folder, { recursive: true });
  }
  const config = configSchema.parse({
    security: {
      allowed_paths: ['~/work', '~/docs'],
      blocked_paths: ['~/.ssh', '~/work/secrets'],
      rate_limits: { api_calls_per_minute: 10_000, file_operations_per_minute: 10_000 },
    },
    ...(browser ? { integrations: { browser } } : {}),
  });
  const rateLimits = new RateLimiter({
    databaseFile: path.join(makeTempFolder(), 'rate.sqlite'),
    limits: () => rateLimitsOf(config),
  });
  limiters.push(rateLimits);
  const enforcer = new PolicyEnforcer({
    config,
    homeDir: home,
    omnipalmHome: path.join(home, '.omnipalm'),
    shellAnalyzer: await ShellAnalyzer.create(),
    rateLimits,
    sandboxCanMakeReadOnly: true,
  });
  const file = (relative: string, content = 'x') => {
    const target = path.join(home, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    return target;
  };
  return { home, work, enforcer, file };
}

export interface LoopbackServer {
  origin: string;
  /** Form posts received at /submit, as their raw bodies. */
  submissions: string[];
  /** Resolves with the next form post. */
  nextSubmission: () => Promise<string>;
  /** Resolves when a request for /hang arrived (it is never answered). */
  nextHang: () => Promise<void>;
  close: () => Promise<void>;
}

const PAGES: Record<string, string> = {
  '/': '<title>Loopback home</title><h1>Hello from loopback</h1><p id="para">Second paragraph</p>',
  '/other': '<title>Other page</title><p>Another page</p>',
  '/form':
    '<title>Search</title><form method="post" action="/submit"><input id="q" name="q"><button id="go" type="submit">Go</button></form>',
  '/long': `<title>Long</title><pre>${'a'.repeat(150 * 1024)}</pre>`,
};

export async function startLoopbackServer(): Promise<LoopbackServer> {
  const submissions: string[] = [];
  let submitted: ((body: string) => void) | undefined;
  let hung: (() => void) | undefined;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/hang') {
      hung?.();
      return; // Never answered: the client has to give up.
    }
    if (request.method === 'POST' && url.pathname === '/submit') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        submissions.push(body);
        submitted?.(body);
        response.setHeader('content-type', 'text/html');
        response.end('<title>Thanks</title><p>Received</p>');
      });
      return;
    }
    const page = PAGES[url.pathname];
    response.statusCode = page ? 200 : 404;
    response.setHeader('content-type', 'text/html');
    response.end(page ?? '<title>Not found</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    submissions,
    nextSubmission: () => new Promise((resolve) => (submitted = resolve)),
    nextHang: () => new Promise((resolve) => (hung = resolve)),
  };
}

/** Process ids of the chromium processes started by this test process (and their children). */
export function chromiumProcesses(): Set<number> {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces or parentheses, so split at the last ")".
      const close = stat.lastIndexOf(')');
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      // Exited while we looked.
    }
  }
  const ours = new Set<number>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (ours.has(pid)) continue;
      const child = parent === process.pid ? /chrom/i.test(names.get(pid) ?? '') : ours.has(parent);
      if (child) {
        ours.add(pid);
        grew = true;
      }
    }
  }
  return ours;
}
