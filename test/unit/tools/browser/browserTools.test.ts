// The browser tools over a real PolicyEnforcer, real Chromium and a loopback server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../../../src-main/agent/toolRegistry.js';
import { TaskPolicy } from '../../../../src-main/policy/taskPolicy.js';
import { BrowserSession } from '../../../../src-main/tools/browser/browserSession.js';
import { BrowserPageChangedError } from '../../../../src-main/tools/browser/shared.js';
import {
  browserClick,
  browserFill,
  browserNavigate,
  browserReadText,
  browserScreenshot,
  browserTools,
  MAX_PAGE_TEXT_CHARS,
} from '../../../../src-main/tools/browser/tools.js';
import type { BrowserToolContext } from '../../../../src-main/tools/browser/shared.js';
import { PolicyDeniedError } from '../../../../src-main/tools/fs/shared.js';
import { makeTempFolder } from '../../../support/tempFolders.js';
import {
  HAS_CHROMIUM,
  makeBrowserSandbox,
  startLoopbackServer,
  type BrowserSandbox,
  type LoopbackServer,
} from './fixture.js';

function contextFor(sandbox: BrowserSandbox, signal?: AbortSignal): BrowserToolContext {
  return {
    enforcer: sandbox.enforcer,
    browser: new BrowserSession({ policy: sandbox.enforcer }),
    cwd: sandbox.work,
    ...(signal ? { signal } : {}),
  };
}

describe('browser tools without a page', () => {
  it('are offered under dotted and model names', () => {
    expect(browserTools.map((tool) => [tool.name, tool.modelName])).toEqual([
      ['browser.navigate', 'browser_navigate'],
      ['browser.read_text', 'browser_read_text'],
      ['browser.click', 'browser_click'],
      ['browser.fill', 'browser_fill'],
      ['browser.screenshot', 'browser_screenshot'],
    ]);
    const registry = new ToolRegistry<BrowserToolContext>(browserTools);
    expect(registry.definitions().map((definition) => definition.name)).toContain(
      'browser_navigate',
    );
    expect(browserTools.filter((tool) => tool.untrustedResult).map((tool) => tool.name)).toEqual([
      'browser.navigate',
      'browser.read_text',
      'browser.click',
      'browser.fill',
    ]);
  });

  it('denies everything while integrations.browser is disabled (the default), with the fix', async () => {
    const context = contextFor(await makeBrowserSandbox());
    const plan = browserNavigate.plan({ url: 'https://example.com' }, context);
    expect(plan.decision.decision).toBe('deny');
    expect(plan.decision.reason).toContain('omnipalm config set integrations.browser.enabled true');
    expect(plan.summary).toBe('Open https://example.com/');
    await expect(browserNavigate.execute(plan, context)).rejects.toBeInstanceOf(PolicyDeniedError);
    expect(context.browser.browser).toBeUndefined(); // Chromium was never started.
  });

  it('denies javascript:, ftp: and blocked files at plan time', async () => {
    const sandbox = await makeBrowserSandbox({ enabled: true });
    const context = contextFor(sandbox);
    for (const url of [
      'javascript:alert(document.cookie)',
      'ftp://127.0.0.1/file',
      `file://${path.join(sandbox.home, '.ssh', 'id_rsa')}`,
      'not a url',
    ]) {
      const plan = browserNavigate.plan(browserNavigate.inputSchema.parse({ url }), context);
      expect(plan.decision.decision, url).toBe('deny');
      await expect(browserNavigate.execute(plan, context)).rejects.toBeInstanceOf(
        PolicyDeniedError,
      );
    }
    expect(context.browser.browser).toBeUndefined();
  });

  it('denies page actions before any page is open', async () => {
    const context = contextFor(await makeBrowserSandbox({ enabled: true }));
    const plans = [
      browserReadText.plan({}, context),
      browserClick.plan({ selector: '#go' }, context),
      browserFill.plan({ selector: '#q', value: 'x' }, context),
      browserScreenshot.plan({ path: 'shot.png' }, context),
    ];
    for (const plan of plans) {
      expect(plan.decision.decision).toBe('deny');
      expect(plan.decision.reason).toContain('browser_navigate');
    }
    expect(() => browserScreenshot.inputSchema.parse({ path: 'shot.jpg' })).toThrow(/\.png/);
  });
});

describe.skipIf(!HAS_CHROMIUM)('browser tools in Chromium', () => {
  let sandbox: BrowserSandbox;
  let server: LoopbackServer;
  let context: BrowserToolContext;

  beforeAll(async () => {
    sandbox = await makeBrowserSandbox({ enabled: true });
    server = await startLoopbackServer();
    context = contextFor(sandbox);
  });
  afterAll(async () => {
    await context?.browser.close();
    await server?.close();
  });

  async function open(url: string) {
    const plan = browserNavigate.plan({ url }, context);
    expect(plan.decision.decision).toBe('allow');
    return browserNavigate.execute(plan, context);
  }

  it('opens a page and reads its text', async () => {
    const result = await open(`${server.origin}/`);
    expect(result).toEqual({ url: `${server.origin}/`, title: 'Loopback home', status: 200 });

    const page = await browserReadText.execute(browserReadText.plan({}, context), context);
    expect(page.title).toBe('Loopback home');
    expect(page.text).toContain('Hello from loopback');
    expect(page.text).toContain('Second paragraph');

    const plan = browserReadText.plan({ selector: '#para' }, context);
    expect(plan.summary).toBe(`Read the text of #para on ${server.origin}/`);
    expect((await browserReadText.execute(plan, context)).text).toBe('Second paragraph');
  });

  it('asks before acting on a page once the task is tainted, but still reads it', async () => {
    await open(`${server.origin}/`);
    const policy = new TaskPolicy(sandbox.enforcer, {
      guardUntrusted: true,
      canConfirm: () => true,
    });
    policy.markUntrusted('browser.navigate');
    const tainted = { ...context, enforcer: policy };
    expect(browserNavigate.plan({ url: `${server.origin}/other` }, tainted).decision.decision).toBe(
      'ask',
    );
    expect(browserClick.plan({ selector: 'h1' }, tainted).decision.decision).toBe('ask');
    const read = browserReadText.plan({}, tainted);
    expect(read.decision.decision).toBe('allow');
    expect((await browserReadText.execute(read, tainted)).text).toContain('Hello from loopback');
  });

  it('cuts page text at 100 KB', async () => {
    await open(`${server.origin}/long`);
    const result = await browserReadText.execute(browserReadText.plan({}, context), context);
    expect(result.text).toHaveLength(MAX_PAGE_TEXT_CHARS);
    expect(result.truncatedChars).toBe(150 * 1024 - MAX_PAGE_TEXT_CHARS);
  });

  it('aborts and reports requests for files outside the allowed paths', async () => {
    const key = sandbox.file('.ssh/id_rsa', 'PRIVATE KEY');
    const token = sandbox.file('work/secrets/token.txt', 'SECRET TOKEN');
    const page = sandbox.file(
      'work/page.html',
      `<title>Local</title><p>Local page</p><img src="file://${token}"><iframe src="file://${key}"></iframe>`,
    );
    const result = await open(`file://${page}`);
    expect(result.title).toBe('Local');
    const blocked = result.blockedRequests?.map((request) => request.url);
    expect(blocked).toEqual(expect.arrayContaining([`file://${token}`, `file://${key}`]));
    expect(result.blockedRequests?.[0]?.reason).toMatch(/blocked/);

    const text = await browserReadText.execute(browserReadText.plan({}, context), context);
    expect(text.text).toContain('Local page');
    expect(text.text).not.toContain('PRIVATE KEY');
  });

  it('fills and submits a form to the loopback server', async () => {
    await open(`${server.origin}/form`);
    const fill = browserFill.plan({ selector: '#q', value: 'hello omnipalm' }, context);
    expect(fill.decision.decision).toBe('allow');
    expect(fill.summary).toBe(`Type "hello omnipalm" into #q on ${server.origin}/form`);
    expect(fill.preview).toContain('value: "hello omnipalm"');
    await browserFill.execute(fill, context);

    const received = server.nextSubmission();
    const click = browserClick.plan({ selector: '#go' }, context);
    expect(click.summary).toBe(`Click #go on ${server.origin}/form`);
    const after = await browserClick.execute(click, context);
    expect(await received).toBe('q=hello+omnipalm');
    expect(after).toMatchObject({ url: `${server.origin}/submit`, title: 'Thanks' });
  });

  it('refuses an action planned on a page that has changed since', async () => {
    await open(`${server.origin}/`);
    const click = browserClick.plan({ selector: 'h1' }, context);
    await open(`${server.origin}/other`);
    await expect(browserClick.execute(click, context)).rejects.toBeInstanceOf(
      BrowserPageChangedError,
    );
  });

  it('saves a screenshot inside the allowed folders only', async () => {
    await open(`${server.origin}/`);
    const plan = browserScreenshot.plan({ path: 'shots/home.png' }, context);
    expect(plan.decision.decision).toBe('allow');
    const target = path.join(sandbox.work, 'shots', 'home.png');
    expect(plan.summary).toBe(`Save a screenshot of ${server.origin}/ to ${target}`);
    const result = await browserScreenshot.execute(plan, context);
    expect(result.path).toBe(target);
    const png = fs.readFileSync(target);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(result.bytes).toBe(png.length);

    const outside = path.join(makeTempFolder('omnipalm-outside-'), 'shot.png');
    for (const denied of [path.join(sandbox.work, 'secrets', 'shot.png'), outside]) {
      const deniedPlan = browserScreenshot.plan({ path: denied }, context);
      expect(deniedPlan.decision.decision, denied).toBe('deny');
      await expect(browserScreenshot.execute(deniedPlan, context)).rejects.toBeInstanceOf(
        PolicyDeniedError,
      );
      expect(fs.existsSync(denied)).toBe(false);
    }
    expect(outside.startsWith(fs.realpathSync(os.tmpdir()))).toBe(true);
  });

  it('stops waiting for a page when the task is cancelled', async () => {
    const controller = new AbortController();
    const cancellable = { ...context, signal: controller.signal };
    const hung = server.nextHang();
    const plan = browserNavigate.plan({ url: `${server.origin}/hang` }, cancellable);
    const navigation = browserNavigate.execute(plan, cancellable);
    await hung;
    controller.abort(new Error('cancelled by the user'));
    await expect(navigation).rejects.toThrow('cancelled by the user');
  });
});
