// Context that fits (issue 17, item 3), end to end: a session whose earlier turns read large
// files, continued with llm.context_window at its smallest (4096 tokens). The real core, SDK
// and SQLite store; the scripted model server records what each request carried.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentCore } from '../../../src-main/agent/core.js';
import type { MessageParam } from '../../../src-main/agent/modelProvider.js';
import { startScriptedModelServer, type ScriptedReply } from '../../support/scriptedModelServer.js';
import { makeCoreHome } from '../../support/coreHome.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const WINDOW = 4096;
const EARLIER_TURNS = 6;
const FOLLOW_UP = 'Now compare every report I asked about so far, and keep it to three lines.';

interface SentBody {
  system: string;
  tools: unknown[];
  messages: MessageParam[];
}

describe('a session longer than the context window', { timeout: 60_000 }, () => {
  it('is cut to fit, keeping the system prompt and the current prompt, and says so', async () => {
    const { root, home, work } = makeCoreHome('omnipalm-context-', {
      llm: { context_window: WINDOW },
      integrations: { terminal: { enabled: false } },
      security: { blocked_paths: [], require_confirmation: false },
    });
    const reports = Array.from({ length: EARLIER_TURNS }, (_, index) => {
      const file = path.join(work, `report${index + 1}.txt`);
      fs.writeFileSync(file, `Report ${index + 1}: sales rose in region ${index}.\n`.repeat(500));
      return file;
    });
    const script: ScriptedReply[] = [
      ...reports.flatMap((file, index): ScriptedReply[] => [
        { text: '', toolUses: [{ name: 'fs_read', input: { path: file } }] },
        { text: `Report ${index + 1} says sales rose in region ${index}.` },
      ]),
      { text: 'Sales rose in every region.' },
    ];
    const server = await startScriptedModelServer(script);
    cleanups.push(() => server.close());
    const core = await AgentCore.open({
      home,
      homeDir: root,
      env: {
        HOME: root,
        PATH: '/usr/bin:/bin',
        OMNIPALM_LLM_API_KEY: 'sk-ant-test-0123456789abcdefghij',
        OMNIPALM_LLM_BASE_URL: server.baseURL,
      },
    });
    cleanups.push(() => core.close());

    let sessionId: string | undefined;
    for (const [index] of reports.entries()) {
      const outcome = await core.runTask(`Read report${index + 1}.txt and sum it up`, {
        ...(sessionId ? { sessionId } : {}),
      });
      expect(outcome.status).toBe('done');
      sessionId = outcome.sessionId;
    }
    const last = await core.runTask(FOLLOW_UP, { sessionId });
    expect(last).toMatchObject({ status: 'done', text: 'Sales rose in every region.' });
    expect(server.requests).toHaveLength(script.length);

    const bodies = server.requests.map((request) => JSON.parse(request.body) as SentBody);
    const sent = bodies.at(-1) as SentBody;
    // The system prompt is the same as the first request's, and the prompt is sent verbatim.
    expect(sent.system).toBe(bodies[0]?.system);
    expect(sent.system).toMatch(/^You are OmniPalm/);
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: FOLLOW_UP });
    // The model is told what was elided: the oldest turns summarised, results shortened.
    const text = JSON.stringify(sent.messages);
    expect(sent.messages[0]?.content).toMatch(
      /^\[summary by OmniPalm of turns 1–\d+, elided to fit the context window: the full text is not sent\]/,
    );
    expect(text).toMatch(/\[shortened by OmniPalm: [\d,]+ characters of this tool result elided/);
    // It fits: the estimate of what was sent leaves the answer its room.
    const size = Buffer.byteLength(JSON.stringify({ ...sent, model: '', max_tokens: 0 }));
    expect(size / 3.5).toBeLessThanOrEqual(WINDOW - WINDOW / 4);
    // Unchanged in storage: the session keeps every turn whole.
    const stored = JSON.stringify(core.sessions.turns(sessionId as string).turns);
    expect(stored).not.toContain('shortened by OmniPalm');
    expect(stored.split('sales rose in region 0').length).toBeGreaterThan(400);

    // A step's own results are never cut: turn 1's second request carried the file whole.
    expect(JSON.stringify(bodies[1]?.messages)).toContain(
      'Report 1: sales rose in region 0.\\\\n'.repeat(500),
    );
  });
});
