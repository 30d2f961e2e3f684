// The MCP section of the window in real Chromium against a real `omnipalm start --headless`
// (issue 18, item 6): the user turns MCP on, adds server-memory with the form, reviews its
// tools (the server starts for real in the OS sandbox), changes one tool's rule, approves, and
// sees the server approved — and config.yaml and the core agree. A screenshot of the review
// lands in test/e2e/screenshots/ (not committed).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src-main/config/schema.js';
import { callApi } from '../support/headlessClient.js';
import { startHeadlessProcess, type HeadlessProcess } from '../support/headlessProcess.js';
import { makeRunFixture, type RunFixture } from '../integration/agent/runFixture.js';
import { buildRenderer, CHROMIUM, launchChromium, screenshot } from './uiFixture.js';
import { serverBin } from '../support/mcp/serverBin.js';

if (!CHROMIUM) console.warn('MCP end-to-end test skipped: no Chromium at /usr/bin/chromium');

let browser: Browser | undefined;
let fixture: RunFixture | undefined;
let server: HeadlessProcess | undefined;
let page: Page | undefined;
/** What a user would see in the console: none of it is expected. */
const consoleProblems: string[] = [];

beforeAll(async () => {
  if (!CHROMIUM) return;
  buildRenderer();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await page?.close();
  server?.stop();
  await server?.exited;
  await fixture?.close();
  await browser?.close();
});

function watchConsole(target: Page): void {
  target.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      consoleProblems.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  target.on('pageerror', (error) => consoleProblems.push(`uncaught: ${error.message}`));
  target.on('response', (response) => {
    if (response.status() >= 400) {
      consoleProblems.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
}

describe.skipIf(!CHROMIUM)('MCP servers in the window', { timeout: 90_000 }, () => {
  it('turn on, add server-memory, review, change a rule, approve: approved', async () => {
    fixture = await makeRunFixture([]);
    server = await startHeadlessProcess(fixture.home, fixture.env);
    page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    watchConsole(page);
    await page.goto(server.openUrl);
    await page.getByRole('tab', { name: /Permissions/ }).click();

    const mcpSwitch = page.getByRole('switch', { name: 'MCP servers enabled' });
    await mcpSwitch.waitFor();
    await mcpSwitch.click();
    await expect.poll(() => mcpSwitch.isChecked()).toBe(true);

    const form = page.getByRole('form', { name: 'Add an MCP server' });
    await form.getByLabel('Name').fill('memory');
    const memory = serverBin('server-memory');
    await form.getByLabel('Command line').fill(`${process.execPath} ${memory}`);
    // A host main's schema refuses: its one line, next to the form, and nothing saved.
    await form.getByLabel('Hosts it may reach').fill('api.example.com/path');
    await form.getByRole('button', { name: 'Add server' }).click();
    const refusal = await form.getByRole('alert').textContent();
    expect(refusal).toMatch(
      /config\.yaml: integrations\.mcp\.servers\.memory\.hosts\[0\]: expected a host name/,
    );
    expect(refusal).not.toContain('\n');
    await form.getByLabel('Hosts it may reach').fill('');
    await form.getByRole('button', { name: 'Add server' }).click();
    const row = page
      .getByRole('table', { name: 'MCP servers' })
      .getByRole('row', { name: /memory/ });
    await row.getByText('not reviewed — review its tools').waitFor();
    await row.getByText('sandboxed').waitFor();
    expect(await form.getByLabel('Name').inputValue()).toBe('');

    await row.getByRole('button', { name: 'Review tools of memory' }).click();
    const tools = page.getByRole('list', { name: 'Tools listed by memory' });
    // The server starts in the sandbox and lists its tools: a few seconds.
    await tools.waitFor({ timeout: 30_000 });
    const readGraph = tools.getByRole('listitem', { name: 'Tool read_graph' });
    await readGraph.getByText('new', { exact: true }).waitFor();
    await readGraph.getByText('the model sees mcp_memory_read_graph').waitFor();
    expect(await tools.getByRole('listitem').count()).toBe(9);
    // The list follows: the review started the server.
    await row.getByText('running').waitFor();

    const rule = readGraph.getByLabel('Rule for read_graph');
    expect(await rule.inputValue()).toBe('ask');
    await rule.selectOption('allow');
    await expect.poll(() => rule.inputValue()).toBe('allow');
    await readGraph.scrollIntoViewIfNeeded();
    await screenshot(page, 'permissions-mcp-review');

    const approve = page.getByRole('button', { name: 'Approve 9 tools' });
    await approve.click();
    await page.getByText('Approved 9 tools of memory.').waitFor();
    await row.getByText('9 tools approved').waitFor();
    await readGraph.getByText('approved', { exact: true }).waitFor();

    // What the window did is what config.yaml and the core hold.
    const onDisk = configSchema.parse(
      parse(fs.readFileSync(path.join(fixture.home, 'config.yaml'), 'utf8')),
    );
    expect(onDisk.integrations.mcp.enabled).toBe(true);
    expect(onDisk.integrations.mcp.servers['memory']).toMatchObject({
      command: process.execPath,
      args: [memory],
      tools: { read_graph: 'allow' },
    });
    const listed = await callApi(server.port, server.token, 'mcp.servers', {});
    const [view] = (JSON.parse(listed.body) as { servers: { approval: string; rules: unknown }[] })
      .servers;
    expect(view).toMatchObject({ approval: 'approved', rules: { read_graph: 'allow' } });
    expect(consoleProblems).toEqual([]);
  });
});
