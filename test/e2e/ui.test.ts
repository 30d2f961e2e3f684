// The React window in real Chromium against a real `omnipalm start --headless` and the
// scripted model: the flows of issue 9 as a user clicks and types them. A screenshot of each
// screen lands in test/e2e/screenshots/ (not committed).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src-main/config/schema.js';
import { openDatabase } from '../../src-main/store/database.js';
import { TimelineStore, timelineDatabaseFile } from '../../src-main/store/timelineStore.js';
import { BUILT_CLI } from '../support/buildCli.js';
import { startHeadlessProcess, type HeadlessProcess } from '../support/headlessProcess.js';
import { keyringToolsAvailable, startPrivateKeyring } from '../support/privateKeyring.js';
import { cleanEnv, REPO_ROOT } from '../support/runCli.js';
import { makeTempFolder } from '../support/tempFolders.js';
import type { ScriptedReply } from '../support/scriptedModelServer.js';
import { makeRunFixture, TEST_API_KEY, type RunFixture } from '../integration/agent/runFixture.js';
import { buildRenderer, CHROMIUM, launchChromium, screenshot } from './uiFixture.js';

if (!CHROMIUM) console.warn('UI end-to-end tests skipped: no Chromium at /usr/bin/chromium');
const KEYRING_MISSING = keyringToolsAvailable();
if (KEYRING_MISSING) console.warn(`UI keys end-to-end test skipped: ${KEYRING_MISSING}`);

let browser: Browser | undefined;
const running: { server: HeadlessProcess; fixture: RunFixture }[] = [];
/** This test's pages: closed after it, so a page left open cannot report into the next test. */
const openPages: Page[] = [];
/**
 * Everything a user would see in the browser's console, from the first byte of the page load
 * on: console errors and warnings (a CSP refusal, a 404 such as a missing favicon, a React
 * warning), uncaught exceptions and failed requests. Any of them is a broken screen or noise
 * that hides the next real one, so each test ends with none.
 */
const consoleProblems: string[] = [];
/** URLs of requests this test makes fail on purpose: their failure is not a problem. */
const provokedFailures: RegExp[] = [];

afterEach(async () => {
  for (const page of openPages.splice(0)) {
    // Closing aborts the page's open requests (the event stream): not the app's failures.
    page.removeAllListeners();
    await page.close();
  }
  provokedFailures.splice(0);
  expect(consoleProblems.splice(0)).toEqual([]);
});

/** Records on `page` whatever consoleProblems collects; attached before navigation. */
function watchConsole(page: Page): void {
  const onPurpose = (url: string) => provokedFailures.some((pattern) => pattern.test(url));
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const { url } = message.location();
    // Chromium logs each failed response as a console error too; the response check below
    // reports it once, unless the test provoked it.
    if (onPurpose(url) && /^Failed to load resource/.test(message.text())) return;
    consoleProblems.push(`console.${message.type()}: ${message.text()} (${url || 'no source'})`);
  });
  page.on('pageerror', (error) =>
    consoleProblems.push(`uncaught: ${error.stack ?? error.message}`),
  );
  page.on('requestfailed', (request) => {
    if (onPurpose(request.url())) return;
    consoleProblems.push(
      `request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`,
    );
  });
  page.on('response', (response) => {
    if (response.status() < 400 || onPurpose(response.url())) return;
    consoleProblems.push(
      `HTTP ${response.status()}: ${response.request().method()} ${response.url()}`,
    );
  });
}

beforeAll(async () => {
  if (!CHROMIUM) return;
  buildRenderer();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const { server, fixture } of running.splice(0)) {
    server.stop();
    await server.exited;
    await fixture.close();
  }
  await browser?.close();
});

const deleteLogs: ScriptedReply[] = [
  { text: 'Deleting the logs.', toolUses: [{ name: 'fs_delete', input: { paths: ['*.log'] } }] },
  { text: 'Done.' },
];

async function openApp(
  script: ScriptedReply[],
  prepare: (fixture: RunFixture) => void = () => undefined,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ page: Page; fixture: RunFixture; server: HeadlessProcess }> {
  const fixture = await makeRunFixture(script);
  prepare(fixture);
  const server = await startHeadlessProcess(fixture.home, { ...extraEnv, ...fixture.env });
  running.push({ server, fixture });
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  openPages.push(page);
  watchConsole(page);
  await page.goto(server.openUrl);
  await page
    .getByRole('status')
    .filter({ hasText: /headless/i })
    .first()
    .waitFor();
  // The token left the address bar as soon as the page read it.
  expect(page.url()).not.toContain('token');
  return { page, fixture, server };
}

async function runPrompt(page: Page, fixture: RunFixture, prompt: string): Promise<void> {
  const input = page.getByLabel('What should OmniPalm do?');
  await input.fill(`${prompt} in ${fixture.work}`);
  await input.press('Enter');
}

describe.skipIf(!CHROMIUM)('the OmniPalm window in Chromium', { timeout: 60_000 }, () => {
  it('prompt → delete preview → List → Yes: the files are gone and the timeline shows it', async () => {
    const { page, fixture } = await openApp(deleteLogs);
    const first = fixture.file('a.log', 'x');
    const second = fixture.file('logs/b.log', 'y');
    await screenshot(page, 'task-empty');
    // The page links the app icon and the server serves it: no /favicon.ico 404 on each load.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const served = await page.request.get(new URL(icon!, page.url()).href);
    expect(served.status()).toBe(200);
    expect(served.headers()['content-type']).toBe('image/png');
    expect(await served.body()).toEqual(
      fs.readFileSync(path.join(REPO_ROOT, 'assets', 'icon.png')),
    );
    await runPrompt(page, fixture, 'Delete the log files');

    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent()).toContain('This will delete 1 file. Proceed?');
    await screenshot(page, 'confirmation');
    await page.keyboard.press('l');
    await dialog.getByLabel('Everything affected').waitFor();
    expect(await dialog.textContent()).toContain(first);
    await screenshot(page, 'confirmation-list');
    await dialog.getByRole('button', { name: 'Yes' }).click();

    await page.getByRole('status').filter({ hasText: /done/i }).first().waitFor();
    expect(fs.existsSync(first)).toBe(false);
    expect(fs.existsSync(second)).toBe(true); // *.log in the work folder only
    await screenshot(page, 'task-done');

    await page.getByRole('tab', { name: /Timeline/ }).click();
    const rows = page.getByRole('listbox', { name: /Timeline events/ }).getByRole('option');
    await rows.filter({ hasText: 'confirmation' }).first().waitFor();
    expect(await rows.count()).toBeGreaterThan(3);
    await screenshot(page, 'timeline');

    // Usage counts the task's actions; Keys shows where the model key comes from, not its value.
    await page.getByRole('tab', { name: 'Usage' }).click();
    await expect
      .poll(() => page.getByRole('img', { name: /^Actions per hour/ }).getAttribute('aria-label'))
      .toMatch(/^Actions per hour: [1-9]\d* in the last/);
    await screenshot(page, 'usage');
    await page.getByRole('tab', { name: 'Keys' }).click();
    const modelKey = page.getByRole('listitem', { name: 'llm_api_key' });
    await expect.poll(() => modelKey.textContent()).toMatch(/environment/i);
    expect(await page.locator('body').textContent()).not.toContain(TEST_API_KEY);
    await screenshot(page, 'keys');

    // The system's dark theme.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('tab', { name: /Timeline/ }).click();
    expect(
      await page.locator('body').evaluate((body) => getComputedStyle(body).backgroundColor),
    ).not.toBe('rgb(255, 255, 255)');
    await screenshot(page, 'timeline-dark');
  });

  it('No: nothing is deleted', async () => {
    const { page, fixture } = await openApp(deleteLogs);
    const file = fixture.file('keep.log', 'x');
    await runPrompt(page, fixture, 'Delete the log files');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'No' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /denied|refused/i })
      .first()
      .waitFor();
    expect(fs.existsSync(file)).toBe(true);
  });

  it('permissions: the browser switch and a blocked path change config.yaml, the policy agrees, and the next task runs under them', async () => {
    const { page, fixture } = await openApp([
      { text: 'Reading.', toolUses: [{ name: 'fs_read', input: { path: 'private/notes.txt' } }] },
      { text: 'Could not read it.' },
    ]);
    fixture.file('private/notes.txt', 'secret plans');
    await page.getByRole('tab', { name: /Permissions/ }).click();
    const browserSwitch = page.getByRole('switch', { name: 'Browser enabled' });
    await browserSwitch.waitFor();
    await browserSwitch.click();
    await expect.poll(() => browserSwitch.isChecked()).toBe(true);
    const blocked = path.join(fixture.work, 'private');
    const addBlocked = page.getByLabel('Add to blocked paths');
    await addBlocked.fill(blocked);
    await addBlocked.press('Enter');
    await page
      .getByRole('list', { name: /Blocked paths/i })
      .getByText(blocked)
      .waitFor();
    // A trusted folder: what it means is said beside the field that adds one.
    const trusted = path.join(fixture.work, 'mine');
    const addTrusted = page.getByLabel('Add to trusted paths');
    const about = await addTrusted.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${about}"]`).textContent()).toMatch(
      /reading them does not mark a task as having read untrusted content/,
    );
    await addTrusted.fill(trusted);
    await addTrusted.press('Enter');
    await page
      .getByRole('list', { name: /Trusted paths/i })
      .getByText(trusted)
      .waitFor();
    await screenshot(page, 'permissions');
    // The other screens, as they look in a real browser.
    for (const tab of ['Terminal', 'Keys', 'Usage'] as const) {
      await page.getByRole('tab', { name: new RegExp(tab) }).click();
      await page.getByRole('tabpanel').filter({ visible: true }).first().waitFor();
      await screenshot(page, tab.toLowerCase());
    }

    const onDisk = configSchema.parse(
      (await import('yaml')).parse(fs.readFileSync(path.join(fixture.home, 'config.yaml'), 'utf8')),
    );
    expect(onDisk.integrations.browser.enabled).toBe(true);
    expect(onDisk.security.blocked_paths).toContain(blocked);
    expect(onDisk.security.trusted_paths).toEqual([trusted]);
    const check = spawnSync(
      process.execPath,
      [BUILT_CLI, 'policy', 'check', '--op', 'read', '--path', path.join(blocked, 'x.txt')],
      { cwd: REPO_ROOT, env: cleanEnv(fixture.home, fixture.env), encoding: 'utf8' },
    );
    expect(check.stdout).toMatch(/deny/);

    // The running server applies the saved settings to its next task: the read is denied.
    await page.getByRole('tab', { name: 'Task' }).click();
    await runPrompt(page, fixture, 'Read my private notes');
    await page.getByText('Could not read it.').waitFor();
    const audit = fs.readFileSync(path.join(fixture.home, 'logs', 'audit.log'), 'utf8');
    expect(audit).toContain('[config] applied');
    expect(audit).toMatch(
      /\[config\] security\.trusted_paths old="\[\]" new=.* by="user" via="ui"/,
    );
    expect(audit).toMatch(/\[policy\] fs\.read .*decision="deny".*security\.blocked_paths/);
  });

  it("terminal: the agent's command and its output appear live in the xterm view", async () => {
    const { page, fixture } = await openApp([
      {
        text: 'Running it.',
        toolUses: [{ name: 'shell_exec', input: { command: 'echo "answer-$((6 * 7))"' } }],
      },
      { text: 'Printed the answer.' },
    ]);
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByText('No shell session yet').waitFor();
    // A visited view stays mounted while another one is shown: it keeps following the shell.
    await page.getByRole('tab', { name: 'Task' }).click();
    await runPrompt(page, fixture, 'Print the answer');

    // Shell commands ask first (execute_shell is in confirm_operations by default).
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent()).toContain('echo "answer-$((6 * 7))"');
    await dialog.getByRole('button', { name: /^Yes/ }).click();
    await page.getByText('Printed the answer.').waitFor();
    // The task is over, its shell too: the hidden view learns it from terminal.exit. Waiting for
    // that keeps this test from racing the view's resize of a shell that is just closing.
    await page.getByText(/^Session ended/).waitFor({ state: 'attached' });

    await page.getByRole('tab', { name: 'Terminal' }).click();
    const shell = page.getByRole('region', { name: /^Shell of task .* in / });
    // 42 is computed by the shell: the output, not the echoed command line.
    await expect.poll(() => shell.textContent(), { timeout: 15_000 }).toContain('answer-42');
    // Drawn in xterm's own colours (its <style> elements are allowed by the CSP): light on black.
    expect(
      await shell.locator('.xterm-rows').evaluate((rows) => getComputedStyle(rows).color),
    ).toBe('rgb(255, 255, 255)');
    await screenshot(page, 'terminal');
  });

  it.skipIf(KEYRING_MISSING)(
    'keys: a token typed once lands in the OS keychain, is never shown, and is deleted',
    async () => {
      const keyring = await startPrivateKeyring(makeTempFolder());
      try {
        const keyringEnv = Object.fromEntries(
          Object.entries(keyring.env).filter(([name]) => !name.startsWith('OMNIPALM_')),
        );
        const { page, fixture } = await openApp([], undefined, keyringEnv);
        await page.getByRole('tab', { name: 'Keys' }).click();
        const row = page.getByRole('listitem', { name: 'jira_token' });
        await expect.poll(() => row.textContent()).toContain('not set');

        const token = `jira-${'t0ken'.repeat(6)}`;
        await row.getByLabel('Set jira_token').fill(token);
        await row.getByRole('button', { name: 'Store' }).click();
        await expect.poll(() => row.textContent()).toContain('from the OS keychain');
        // Sent once, never read back: the field is empty and the page holds no copy.
        expect(await row.getByLabel('Replace jira_token').inputValue()).toBe('');
        expect(await page.content()).not.toContain(token);
        await screenshot(page, 'keys-stored');

        // The keychain has it: the CLI reads the same entry.
        const sourceOf = (name: string) => {
          const list = spawnSync(process.execPath, [BUILT_CLI, 'keys', 'list', '--json'], {
            cwd: REPO_ROOT,
            env: cleanEnv(fixture.home, { ...keyringEnv, ...fixture.env }),
            encoding: 'utf8',
          });
          const entries = JSON.parse(list.stdout).keys as { name: string; source: string }[];
          return entries.find((entry) => entry.name === name)?.source;
        };
        expect(sourceOf('jira_token')).toBe('keychain');

        await row.getByRole('button', { name: 'Delete jira_token' }).click();
        await row
          .getByRole('group', { name: 'Confirm deleting jira_token' })
          .getByRole('button', { name: /delete/i })
          .click();
        await expect.poll(() => row.textContent()).toContain('not set');
        expect(sourceOf('jira_token')).toBe('missing');
      } finally {
        await keyring.stop();
      }
    },
  );

  it('a 100k-event timeline renders its first page within 200 ms and scrolls', async () => {
    const { page } = await openApp([], (fixture) => {
      const db = openDatabase(timelineDatabaseFile(fixture.home));
      const now = Date.now();
      new TimelineStore(db).appendMany(
        Array.from({ length: 100_000 }, (_, index) => ({
          kind: 'tool_call' as const,
          name: 'fs.read',
          tool: 'fs.read',
          time: new Date(now - (100_000 - index) * 1000),
          summary: `[tool_call] fs.read path="/w/${index}"`,
        })),
      );
      db.close();
    });

    // The app reads the newest page at start-up (the store's timeline head); a user's click comes
    // after that, so the test waits for it too.
    await expect
      .poll(() =>
        page.evaluate(() =>
          performance
            .getEntriesByType('resource')
            .some((entry) => entry.name.endsWith('/api/timeline.page')),
        ),
      )
      .toBe(true);
    await page.waitForLoadState('networkidle');

    // Timed inside the page, from the click to the first row on screen (Playwright's own
    // click, with its actionability checks, is not the app's time).
    const elapsed = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const tab = [...document.querySelectorAll('[role="tab"]')].find((element) =>
            element.textContent?.includes('Timeline'),
          ) as HTMLElement;
          const started = performance.now();
          const firstRow = () =>
            document.querySelector(
              '[role="listbox"][aria-label^="Timeline events"] [role="option"]',
            );
          const observer = new MutationObserver(() => {
            if (!firstRow()) return;
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - started));
          });
          observer.observe(document.body, { childList: true, subtree: true });
          tab.click();
        }),
    );
    const rows = page.getByRole('listbox', { name: /Timeline events/ }).getByRole('option');
    console.log(
      `timeline: first page of 100,000 events on screen ${Math.round(elapsed)} ms after the click`,
    );
    expect(elapsed).toBeLessThan(200);
    expect(await rows.count()).toBeLessThan(100);
    await screenshot(page, 'timeline-100k');
    const before = await rows.first().textContent();
    await page
      .getByRole('listbox', { name: /Timeline events/ })
      .evaluate((element) => (element.scrollTop = 30_000));
    await expect.poll(() => rows.first().textContent()).not.toBe(before);
  });

  it('conversations: two turns, markdown, no remote image, rename, resume, search, delete', async () => {
    // A loopback server standing for an attacker's: an answer points an image at it with a
    // "secret" in the query. Not one request may reach it.
    const leaks: string[] = [];
    const leakServer = http.createServer((request, response) => {
      leaks.push(request.url ?? '');
      response.end();
    });
    await new Promise<void>((resolve) => leakServer.listen(0, '127.0.0.1', resolve));
    const leakUrl = `http://127.0.0.1:${(leakServer.address() as AddressInfo).port}/leak.png?d=secret`;
    try {
      const { page, fixture, server } = await openApp([
        {
          text: [
            'Here are the files:',
            '',
            '| file | size |',
            '| --- | --- |',
            '| alpha.txt | 3 KB |',
            '',
            '```bash',
            'ls -la ~/alpha',
            '```',
          ].join('\n'),
        },
        { text: `The chart: ![x](${leakUrl}) as asked.` },
        { text: 'Still here: **third** answer.' },
        { text: 'A separate topic.' },
      ]);
      const conversation = page.getByRole('region', { name: 'Conversation' });
      const sidebar = page.getByRole('complementary', { name: 'Sessions' });
      const sessions = sidebar.getByRole('list', { name: 'Session list' }).locator(':scope > li');
      const ask = async (prompt: string, turns: number) => {
        const input = page.getByLabel('What should OmniPalm do?');
        await input.fill(prompt);
        await input.press('Enter');
        await expect.poll(() => conversation.locator('.turns > li').count()).toBe(turns);
        // The turn is over (stored, "Done") before the next prompt goes.
        await conversation
          .locator('.turns > li')
          .nth(turns - 1)
          .getByText('Done', { exact: true })
          .waitFor();
      };

      // Turn 1 starts a session: the answer's table and code block render.
      await ask('List the project files', 1);
      await conversation.getByRole('cell', { name: 'alpha.txt' }).waitFor();
      expect(await conversation.getByRole('columnheader').allTextContents()).toEqual([
        'file',
        'size',
      ]);
      expect(await conversation.locator('pre code').textContent()).toContain('ls -la ~/alpha');
      await conversation.getByRole('button', { name: 'Copy code' }).waitFor();
      await expect.poll(() => sessions.count()).toBe(1);
      expect(await sessions.first().getAttribute('aria-label')).toBe('List the project files');

      // Turn 2 goes on in the same session: the model's request carries turn 1.
      await ask('Now draw the chart', 2);
      const second = JSON.parse(fixture.server.requests[1]!.body) as {
        messages: { role: string; content: unknown }[];
      };
      const sent = JSON.stringify(second.messages);
      expect(sent).toContain('List the project files');
      expect(sent).toContain('alpha.txt');
      expect(sent).toContain('Now draw the chart');
      // The image is words on the page, not an <img>, and nothing was fetched.
      await conversation.getByText(`[image: x] ${leakUrl}`).waitFor();
      expect(await page.locator('img').count()).toBe(0);
      await page.waitForLoadState('networkidle');
      expect(leaks).toEqual([]);
      await screenshot(page, 'conversation');

      // Rename inline.
      await sidebar.getByRole('button', { name: 'Rename List the project files' }).click();
      const title = sidebar.getByLabel('New title for List the project files');
      await title.fill('Quarterly files');
      await title.press('Enter');
      await expect.poll(() => sessions.first().getAttribute('aria-label')).toBe('Quarterly files');
      await expect
        .poll(() => conversation.getByRole('heading').textContent())
        .toBe('Quarterly files');

      // Open the app again (the token lives in memory, so a reload is opening the address
      // again): the same session shows, and the next prompt goes on with it.
      await page.goto('about:blank');
      await page.goto(server.openUrl);
      await conversation.getByRole('heading', { name: 'Quarterly files' }).waitFor();
      await expect.poll(() => conversation.locator('.turns > li').count()).toBe(2);
      await ask('One more thing', 3);
      await conversation.getByText('third', { exact: true }).waitFor();
      const third = JSON.stringify(JSON.parse(fixture.server.requests[2]!.body).messages);
      expect(third).toContain('List the project files');
      expect(third).toContain('Now draw the chart');

      // A new session (the button; Ctrl/Cmd+N does the same), then search and delete.
      await sidebar.getByRole('button', { name: 'New session' }).click();
      await page.getByText(/^New session\. /).waitFor();
      const input = page.getByLabel('What should OmniPalm do?');
      await input.fill('Another topic entirely');
      await input.press('Enter');
      await conversation.getByText('A separate topic.').waitFor();
      await expect.poll(() => sessions.count()).toBe(2);
      // A new session starts fresh: turn 1's words are not in its request.
      expect(fixture.server.requests[3]!.body).not.toContain('alpha.txt');

      await sidebar.getByLabel('Search sessions').fill('quarterly');
      await expect.poll(() => sessions.count()).toBe(1);
      expect(await sessions.first().getAttribute('aria-label')).toBe('Quarterly files');
      // Prompts match too, not only titles.
      await sidebar.getByLabel('Search sessions').fill('draw the chart');
      await expect
        .poll(() => sessions.evaluateAll((items) => items.map((item) => item.ariaLabel)))
        .toEqual(['Quarterly files']);
      await sidebar.getByLabel('Search sessions').fill('');
      await expect.poll(() => sessions.count()).toBe(2);

      await sidebar.getByRole('button', { name: 'Delete Another topic entirely' }).click();
      const confirm = sidebar.getByRole('alertdialog', { name: 'Delete Another topic entirely?' });
      expect(await confirm.textContent()).toMatch(/audit log keeps its lines/);
      await screenshot(page, 'session-delete');
      await confirm.getByRole('button', { name: 'Delete session' }).click();
      await expect.poll(() => sessions.count()).toBe(1);
      await page.getByText(/^New session\. /).waitFor();
      // The audit log keeps the deleted session's lines.
      expect(fixture.auditLines().some((line) => line.includes('Another topic entirely'))).toBe(
        true,
      );
      expect(leaks).toEqual([]);
    } finally {
      await new Promise((resolve) => leakServer.close(resolve));
    }
  });
});
