// The contract's tables and the preload bridge derived from them: one named method per
// channel and per event, payloads parsed before the page sees them, and no generic send/on.
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  channelNames,
  contract,
  eventNames,
  events,
  MAX_PROMPT_LENGTH,
  MAX_TERMINAL_INPUT_BYTES,
  MAX_TIMELINE_PAGE,
  methodNameOf,
  OPERATION_NAMES,
  SECRET_KEY_NAMES,
  STOP_LIMITS,
  TURN_STATUS_NAMES,
  MAX_SESSION_TITLE_LENGTH,
  MCP_SERVER_NAME_PATTERN,
  MCP_TOOL_RULE_NAMES,
  TIMELINE_KINDS,
  TIMELINE_LEVELS,
  subscriptionNameOf,
  type CollidingBridgeEntries,
  type EventPayloadOf,
  type OmniPalmBridge,
} from '../../src-preload/contract.js';
import { AUDIT_KINDS, AUDIT_LEVELS } from '../../src-main/audit/auditEvent.js';
import { OPERATIONS, SECRET_NAMES } from '../../src-main/config/schema.js';
import { MCP_SERVER_NAME, MCP_TOOL_RULES } from '../../src-main/config/mcpSchema.js';
import { MAX_TITLE_LENGTH, TURN_STATUSES } from '../../src-main/store/sessionStore.js';
import type { StopLimit } from '../../src-main/policy/runBudget.js';

const exposed = vi.hoisted(() => ({ worlds: new Map<string, unknown>() }));
vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => exposed.worlds.set(key, api),
  },
  ipcRenderer: {
    invoke: () => Promise.reject(new Error('no main process in unit tests')),
    on: () => undefined,
    removeListener: () => undefined,
  },
}));

const { buildBridge } = await import('../../src-preload/index.js');

const SESSION = '8d2f6a3c-3f0e-4c55-9a57-2a1f0c9b7e11';

/** A stand-in ipcRenderer that records what the bridge does with it. */
function fakeIpc() {
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const ipc = {
    invoke: vi.fn((channel: string, request: unknown) => Promise.resolve({ channel, request })),
    on: vi.fn((channel: string, listener: (event: unknown, payload: unknown) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return ipc;
    }),
    removeListener: vi.fn(
      (channel: string, listener: (event: unknown, payload: unknown) => void) => {
        listeners.get(channel)?.delete(listener);
        return ipc;
      },
    ),
  };
  const send = (channel: string, payload: unknown) => {
    const ipcEvent = { sender: ipc, senderId: 0, ports: [] };
    for (const listener of listeners.get(channel) ?? []) listener(ipcEvent, payload);
  };
  const count = (channel: string) => listeners.get(channel)?.size ?? 0;
  return { ipc, send, count };
}

describe('contract', () => {
  it('names the calls and events', () => {
    expect(channelNames).toEqual([
      'app.getStatus',
      'terminal.list',
      'terminal.resize',
      'terminal.input',
      'task.start',
      'task.stop',
      'task.running',
      'confirmation.pending',
      'confirmation.answer',
      'timeline.page',
      'session.recent',
      'session.turns',
      'session.rename',
      'session.delete',
      'session.continue',
      'config.get',
      'config.set',
      'secrets.describe',
      'secrets.store',
      'secrets.remove',
      'audit.verify',
      'usage.summary',
      'mcp.servers',
      'mcp.review',
      'mcp.approve',
    ]);
    expect(eventNames).toEqual([
      'terminal.opened',
      'terminal.data',
      'terminal.exit',
      'task.started',
      'task.text',
      'task.tool',
      'task.ended',
      'session.updated',
      'session.deleted',
      'confirmation.requested',
      'confirmation.settled',
      'timeline.event',
      'monitor.alert',
    ]);
  });

  it("keeps its copies of main's lists equal to the originals", () => {
    expect(OPERATION_NAMES).toEqual(OPERATIONS);
    expect(TIMELINE_KINDS).toEqual(AUDIT_KINDS);
    expect(TIMELINE_LEVELS).toEqual(AUDIT_LEVELS);
    expect(SECRET_KEY_NAMES).toEqual(SECRET_NAMES);
    expect(TURN_STATUS_NAMES).toEqual(TURN_STATUSES);
    expect(MAX_SESSION_TITLE_LENGTH).toBe(MAX_TITLE_LENGTH);
    expect(MCP_SERVER_NAME_PATTERN.source).toBe(MCP_SERVER_NAME.source);
    expect(MCP_TOOL_RULE_NAMES).toEqual(MCP_TOOL_RULES);
    expectTypeOf<(typeof STOP_LIMITS)[number]>().toEqualTypeOf<StopLimit>();
  });

  it('bounds task, confirmation and timeline requests', () => {
    const start = contract['task.start'].request;
    expect(start.safeParse({ prompt: 'Summarize notes.md', cwd: '/work' }).success).toBe(true);
    for (const bad of [
      {},
      { prompt: '' },
      { prompt: ' \n ' },
      { prompt: 'x'.repeat(MAX_PROMPT_LENGTH + 1) },
      { prompt: 'ok', cwd: '' },
      { prompt: 'ok', model: 'other' },
    ]) {
      expect(start.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(contract['task.stop'].request.safeParse({ taskId: 'not-an-id' }).success).toBe(false);
    const answer = contract['confirmation.answer'].request;
    expect(answer.safeParse({ id: SESSION, answer: 'allow_for_task' }).success).toBe(true);
    expect(answer.safeParse({ id: SESSION, answer: 'always' }).success).toBe(false);
    const page = contract['timeline.page'].request;
    expect(page.safeParse({ limit: MAX_TIMELINE_PAGE, kinds: ['policy'] }).success).toBe(true);
    for (const bad of [
      { limit: MAX_TIMELINE_PAGE + 1 },
      { limit: 0 },
      { before: 0 },
      { kinds: ['nonsense'] },
      { tools: Array.from({ length: 101 }, () => 'fs.read') },
      { kind: ['policy'] },
    ]) {
      expect(page.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('takes only a valid MCP server name, and approve only with the listing reviewed', () => {
    const review = contract['mcp.review'].request;
    expect(review.safeParse({ name: 'my-db' }).success).toBe(true);
    for (const bad of [
      {},
      { name: '' },
      { name: 'My_DB' },
      { name: '../pins' },
      { name: 'a'.repeat(33) },
      { name: 'github', listing: 'x' },
    ]) {
      expect(review.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    const refused = review.safeParse({ name: 'under_score' });
    expect(refused.error?.issues[0]?.path).toEqual(['name']);
    expect(refused.error?.issues[0]?.message).toMatch(/MCP server name/);
    const approve = contract['mcp.approve'].request;
    expect(approve.safeParse({ name: 'github', listing: 'ab12' }).success).toBe(true);
    // Approving without what was reviewed would pin whatever the server lists by then.
    const unseen = approve.safeParse({ name: 'github' });
    expect(unseen.error?.issues[0]?.path).toEqual(['listing']);
    expect(approve.safeParse({ name: 'github', listing: '' }).success).toBe(false);
  });

  it("passes on a review's warnings and what changed, never fields it does not name", () => {
    const server = {
      name: 'notes',
      enabled: true,
      kind: 'stdio',
      target: 'node notes.js',
      hosts: [],
      rules: {},
      readOnlyTools: [],
      resources: false,
      prompts: false,
      state: 'running',
      restarts: 0,
      sandboxed: true,
      approvedTools: ['echo'],
      approval: 'changed',
      changes: 'changed echo',
      pinsFile: '/home/u/.omnipalm/mcp-pins.json',
    };
    const parsed = contract['mcp.review'].response.parse({
      server,
      listing: 'f'.repeat(64),
      pending: true,
      tools: [
        {
          name: 'echo',
          status: 'changed',
          description: { text: 'x', flags: [] },
          inputSchema: { type: 'object' },
          inputSchemaFlags: ['mentions the system prompt'],
          rule: 'ask',
          readOnly: false,
        },
      ],
    });
    expect(parsed.server.changes).toBe('changed echo');
    expect(parsed.server).not.toHaveProperty('pinsFile');
    expect(parsed.tools[0]!.inputSchemaFlags).toEqual(['mentions the system prompt']);
  });

  it('never sends the confirmation fingerprint to the page', () => {
    const parsed = events['confirmation.requested'].parse({
      request: {
        id: SESSION,
        taskId: SESSION,
        operation: 'delete',
        summary: 'This will delete 1 file. Proceed?',
        preview: ['a.log'],
        risk: 'medium',
        reason: 'delete is in security.confirm_operations',
        expiresAt: 1,
        fingerprint: 'internal',
      },
    });
    expect(parsed.request).not.toHaveProperty('fingerprint');
  });

  it('bounds terminal.resize to sizes a real view can have', () => {
    const resize = contract['terminal.resize'].request;
    expect(resize.safeParse({ sessionId: SESSION, cols: 80, rows: 24 }).success).toBe(true);
    for (const bad of [
      { sessionId: SESSION, cols: 9, rows: 24 },
      { sessionId: SESSION, cols: 1001, rows: 24 },
      { sessionId: SESSION, cols: 80, rows: 1 },
      { sessionId: SESSION, cols: 80, rows: 501 },
      { sessionId: SESSION, cols: 80.5, rows: 24 },
      { sessionId: 'not-a-session', cols: 80, rows: 24 },
      { sessionId: SESSION, cols: 80, rows: 24, shell: '/bin/sh' },
    ]) {
      expect(resize.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('takes at most 64 KB of terminal input at a time, counted in UTF-8 bytes', () => {
    const input = contract['terminal.input'].request;
    const ok = (data: string) => input.safeParse({ sessionId: SESSION, data }).success;
    expect(ok('ls -la\r')).toBe(true);
    expect(ok('a'.repeat(MAX_TERMINAL_INPUT_BYTES))).toBe(true);
    expect(ok('a'.repeat(MAX_TERMINAL_INPUT_BYTES + 1))).toBe(false);
    // 2 bytes each: half as many characters already reach the limit.
    expect(ok('é'.repeat(MAX_TERMINAL_INPUT_BYTES / 2))).toBe(true);
    expect(ok('é'.repeat(MAX_TERMINAL_INPUT_BYTES / 2 + 1))).toBe(false);
  });

  it('strips from event payloads what the contract does not name', () => {
    const parsed = events['terminal.data'].parse({ sessionId: SESSION, data: 'x', env: 'SECRET' });
    expect(parsed).toEqual({ sessionId: SESSION, data: 'x' });
    expect(events['terminal.exit'].safeParse({ sessionId: SESSION, exitCode: null }).success).toBe(
      true,
    );
    expect(events['terminal.exit'].safeParse({ sessionId: SESSION }).success).toBe(false);
  });

  it('derives one bridge member per call and per event', () => {
    expect(methodNameOf('terminal.input')).toBe('input');
    expect(subscriptionNameOf('terminal.data')).toBe('onTerminalData');
    expectTypeOf<OmniPalmBridge['onTerminalData']>().toEqualTypeOf<
      (listener: (payload: EventPayloadOf<'terminal.data'>) => void) => () => void
    >();
    expectTypeOf<keyof OmniPalmBridge>().toEqualTypeOf<
      | 'getStatus'
      | 'list'
      | 'resize'
      | 'input'
      | 'start'
      | 'stop'
      | 'running'
      | 'pending'
      | 'answer'
      | 'page'
      | 'recent'
      | 'turns'
      | 'rename'
      | 'delete'
      | 'continue'
      | 'get'
      | 'set'
      | 'describe'
      | 'store'
      | 'remove'
      | 'verify'
      | 'summary'
      | 'servers'
      | 'review'
      | 'approve'
      | 'onTerminalOpened'
      | 'onTerminalData'
      | 'onTerminalExit'
      | 'onTaskStarted'
      | 'onTaskText'
      | 'onTaskTool'
      | 'onTaskEnded'
      | 'onSessionUpdated'
      | 'onSessionDeleted'
      | 'onConfirmationRequested'
      | 'onConfirmationSettled'
      | 'onTimelineEvent'
      | 'onMonitorAlert'
    >();
  });

  it('names colliding bridge members at compile time', () => {
    // The check behind BridgeMembersAreUnique, on made-up tables.
    expectTypeOf<CollidingBridgeEntries<'a.get' | 'b.list', 'x.data'>>().toEqualTypeOf<never>();
    expectTypeOf<CollidingBridgeEntries<'config.get' | 'secrets.get', never>>().toEqualTypeOf<
      'call:config.get' | 'call:secrets.get'
    >();
    expectTypeOf<CollidingBridgeEntries<'y.onXData', 'x.data'>>().toEqualTypeOf<
      'call:y.onXData' | 'event:x.data'
    >();
    // A channel and an event of the same name are two different members.
    expectTypeOf<CollidingBridgeEntries<'x.data', 'x.data'>>().toEqualTypeOf<never>();
  });
});

describe('preload bridge', () => {
  it('exposes exactly one method per channel and per event, as window.omnipalm', () => {
    const api = exposed.worlds.get('omnipalm') as Record<string, unknown>;
    expect([...exposed.worlds.keys()]).toEqual(['omnipalm']);
    expect(Object.keys(api).sort()).toEqual(
      [...channelNames.map(methodNameOf), ...eventNames.map(subscriptionNameOf)].sort(),
    );
    for (const member of Object.values(api)) expect(typeof member).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    // Nothing generic that would let the page pick its own channel.
    for (const generic of ['invoke', 'send', 'on', 'once', 'ipcRenderer']) {
      expect(api).not.toHaveProperty(generic);
    }
  });

  it('sends each call on its own fixed channel', async () => {
    const { ipc } = fakeIpc();
    const bridge = buildBridge(ipc as never);
    await bridge.resize({ sessionId: SESSION, cols: 80, rows: 24 });
    await bridge.list();
    expect(ipc.invoke.mock.calls).toEqual([
      ['terminal.resize', { sessionId: SESSION, cols: 80, rows: 24 }],
      ['terminal.list', {}],
    ]);
  });

  it('passes subscribers the parsed payload only, and unsubscribes', () => {
    const { ipc, send, count } = fakeIpc();
    const bridge = buildBridge(ipc as never);
    const received: unknown[][] = [];
    const unsubscribe = bridge.onTerminalData((...args: unknown[]) => received.push(args));
    expect(ipc.on).toHaveBeenCalledWith('terminal.data', expect.any(Function));

    send('terminal.data', { sessionId: SESSION, data: 'hello\r\n', extra: 'dropped' });
    // A payload that breaks the contract is not delivered at all.
    send('terminal.data', { sessionId: SESSION, data: 42 });
    // Only this event's subscribers hear it.
    send('terminal.exit', { sessionId: SESSION, exitCode: null });
    // One argument, never the IpcRendererEvent (whose sender is ipcRenderer itself).
    expect(received).toEqual([[{ sessionId: SESSION, data: 'hello\r\n' }]]);

    unsubscribe();
    expect(count('terminal.data')).toBe(0);
    send('terminal.data', { sessionId: SESSION, data: 'late' });
    expect(received).toHaveLength(1);
  });

  it('refuses a subscription without a listener function', () => {
    const { ipc } = fakeIpc();
    const bridge = buildBridge(ipc as never) as unknown as Record<string, (arg: unknown) => void>;
    expect(() => bridge['onTerminalExit']!('terminal.exit')).toThrow(
      'onTerminalExit: expected a listener function',
    );
    expect(ipc.on).not.toHaveBeenCalled();
  });
});
