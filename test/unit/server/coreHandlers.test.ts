// The core's handlers as the UI meets them, against a real AgentCore (config, policy, audit
// trail, SQLite timeline, broker) and the scripted model server on loopback.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayloadOf } from '../../../src-preload/contract.js';
import { AgentCore } from '../../../src-main/agent/core.js';
import {
  coreEventHooks,
  createCoreHandlers,
  EventHub,
  type CoreHandlers,
} from '../../../src-main/server/coreHandlers.js';
import { dispatchCall } from '../../../src-main/server/dispatch.js';
import { startScriptedModelServer, type ScriptedReply } from '../../support/scriptedModelServer.js';
import { makeCoreHome } from '../../support/coreHome.js';

type Received = { [E in EventName]: { event: E; payload: EventPayloadOf<E> } }[EventName];

/** Every event the hub sends, and a way to await one. */
class Recorder {
  readonly received: Received[] = [];
  private waiters: { test: (item: Received) => boolean; resolve: (item: Received) => void }[] = [];

  readonly emit = <E extends EventName>(event: E, payload: EventPayloadOf<E>) => {
    const item = { event, payload } as Received;
    this.received.push(item);
    for (const waiter of [...this.waiters]) {
      if (!waiter.test(item)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(item);
    }
  };

  next<E extends EventName>(
    event: E,
    test: (payload: EventPayloadOf<E>) => boolean = () => true,
  ): Promise<EventPayloadOf<E>> {
    const found = this.received.find(
      (item) => item.event === event && test(item.payload as EventPayloadOf<E>),
    );
    if (found) return Promise.resolve(found.payload as EventPayloadOf<E>);
    return new Promise((resolve) =>
      this.waiters.push({
        test: (item) => item.event === event && test(item.payload as EventPayloadOf<E>),
        resolve: (item) => resolve(item.payload as EventPayloadOf<E>),
      }),
    );
  }

  taskEvents(taskId: string): string[] {
    return this.received
      .filter((item) => item.event.startsWith('task.') && 'taskId' in item.payload)
      .filter((item) => (item.payload as { taskId: string }).taskId === taskId)
      .map((item) => item.event);
  }
}

interface Setup {
  work: string;
  hub: EventHub;
  core: AgentCore;
  front: CoreHandlers;
  call: (channel: string, payload?: unknown) => Promise<unknown>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(script: ScriptedReply[]): Promise<Setup> {
  const { root, home, work } = makeCoreHome('omnipalm-handlers-', {
    security: { sandbox: 'off' },
    integrations: { terminal: { enabled: false } },
  });
  const server = await startScriptedModelServer(script);
  cleanups.push(() => server.close());
  const hub = new EventHub();
  const core = await AgentCore.open({
    home,
    env: {
      HOME: root,
      OMNIPALM_LLM_API_KEY: 'sk-ant-test-0123456789abcdefghij',
      OMNIPALM_LLM_BASE_URL: server.baseURL,
    },
    homeDir: root,
    ...coreEventHooks(hub),
  });
  cleanups.push(() => core.close());
  const front = createCoreHandlers(core, { mode: 'headless', hub, version: '1.2.3' });
  cleanups.push(() => front.close());
  const call = (channel: string, payload: unknown = {}) =>
    dispatchCall(front.handlers, channel, payload);
  return { work, hub, core, front, call };
}

const deleteScript = (file: string): ScriptedReply[] => [
  { text: 'Deleting it.', toolUses: [{ name: 'fs_delete', input: { paths: [file] } }] },
  { text: 'Finished.' },
];

describe('core handlers', () => {
  it('runs a task in the background and streams its progress in order', async () => {
    const { work, hub, call } = await setup([
      { text: 'Reading.', toolUses: [{ name: 'fs_read', input: { path: 'notes.md' } }] },
      { text: 'The notes say hello.' },
    ]);
    fs.writeFileSync(path.join(work, 'notes.md'), 'hello\n');
    const events = new Recorder();
    hub.subscribe(events.emit);

    const { taskId } = (await call('task.start', { prompt: 'Summarize notes.md' })) as {
      taskId: string;
    };
    expect(await call('task.running')).toEqual({
      tasks: [{ taskId, prompt: 'Summarize notes.md', startedAt: expect.any(Number) }],
    });
    const ended = await events.next('task.ended', (payload) => payload.taskId === taskId);
    expect(ended).toMatchObject({ status: 'done', text: 'The notes say hello.', refused: [] });
    expect(ended.iterations).toBe(2);

    const order = events.taskEvents(taskId).filter((name, index, all) => all[index - 1] !== name);
    expect(order).toEqual(['task.started', 'task.text', 'task.tool', 'task.text', 'task.ended']);
    const tools = events.received.filter((item) => item.event === 'task.tool');
    expect(tools.map((item) => item.payload)).toMatchObject([
      { taskId, phase: 'start', tool: 'fs.read' },
      { taskId, phase: 'end', tool: 'fs.read', status: 'ok' },
    ]);
    expect(await call('task.running')).toEqual({ tasks: [] });

    // The live timeline saw the task, and the stored one pages it back.
    await events.next('timeline.event', (event) => event.kind === 'user_command');
    const page = (await call('timeline.page', { taskId, limit: 500 })) as {
      events: { kind: string; taskId?: string }[];
    };
    expect(page.events.map((event) => event.kind)).toEqual(
      expect.arrayContaining(['user_command', 'tool_call', 'tool_result', 'agent_response']),
    );
    expect(page.events.every((event) => event.taskId === taskId)).toBe(true);
    const small = (await call('timeline.page', { taskId, limit: 1 })) as { nextCursor?: number };
    expect(small.nextCursor).toEqual(expect.any(Number));
  });

  it('asks the UI before a delete, and deletes once the user says yes', async () => {
    const { work, hub, call } = await setup(deleteScript('old.log'));
    const file = path.join(work, 'old.log');
    fs.writeFileSync(file, 'x');
    const events = new Recorder();
    hub.subscribe(events.emit);

    const { taskId } = (await call('task.start', { prompt: 'Delete old.log' })) as {
      taskId: string;
    };
    const { request } = await events.next('confirmation.requested');
    expect(request).toMatchObject({ taskId, operation: 'delete' });
    expect(request).not.toHaveProperty('fingerprint');
    expect(await call('confirmation.pending')).toEqual({ requests: [request] });

    expect(await call('confirmation.answer', { id: request.id, answer: 'yes' })).toEqual({
      accepted: true,
    });
    expect(await events.next('confirmation.settled')).toEqual({
      id: request.id,
      answer: 'yes',
      approved: true,
    });
    const ended = await events.next('task.ended');
    expect(ended.status).toBe('done');
    expect(fs.existsSync(file)).toBe(false);
    // A second answer to the same request changes nothing.
    expect(await call('confirmation.answer', { id: request.id, answer: 'no' })).toEqual({
      accepted: false,
    });
  });

  it('keeps the file when the user says no', async () => {
    const { work, hub, call } = await setup(deleteScript('keep.log'));
    const file = path.join(work, 'keep.log');
    fs.writeFileSync(file, 'x');
    const events = new Recorder();
    hub.subscribe(events.emit);

    await call('task.start', { prompt: 'Delete keep.log' });
    const { request } = await events.next('confirmation.requested');
    await call('confirmation.answer', { id: request.id, answer: 'no' });
    const ended = await events.next('task.ended');
    expect(ended.status).toBe('denied');
    expect(ended.refused).toMatchObject([{ tool: 'fs.delete', by: 'user' }]);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('denies at once when no UI is connected to answer', async () => {
    const { work, hub, call } = await setup(deleteScript('alone.log'));
    const file = path.join(work, 'alone.log');
    fs.writeFileSync(file, 'x');
    // A probe that cannot answer confirmations: nobody is there to show them to.
    const events = new Recorder();
    hub.subscribe(events.emit, { answersConfirmations: false });

    await call('task.start', { prompt: 'Delete alone.log' });
    const ended = await events.next('task.ended');
    expect(ended.status).toBe('denied');
    expect(ended.refused).toMatchObject([{ tool: 'fs.delete', by: 'unanswered' }]);
    expect(events.received.some((item) => item.event === 'confirmation.requested')).toBe(false);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('stops a task that waits for a confirmation', async () => {
    const { work, hub, call } = await setup(deleteScript('wait.log'));
    const file = path.join(work, 'wait.log');
    fs.writeFileSync(file, 'x');
    const events = new Recorder();
    hub.subscribe(events.emit);

    const { taskId } = (await call('task.start', { prompt: 'Delete wait.log' })) as {
      taskId: string;
    };
    const { request } = await events.next('confirmation.requested');
    expect(await call('task.stop', { taskId })).toEqual({ stopped: true });
    expect(await events.next('confirmation.settled')).toEqual({
      id: request.id,
      answer: 'closed',
      approved: null,
    });
    const ended = await events.next('task.ended');
    expect(ended).toMatchObject({ taskId, status: 'stopped', stopReason: { limit: 'aborted' } });
    expect(fs.existsSync(file)).toBe(true);
    expect(await call('task.stop', { taskId })).toEqual({ stopped: false });
  });

  it('pausing stops the running task and refuses new ones until resumed', async () => {
    const { work, hub, front, call } = await setup(deleteScript('paused.log'));
    fs.writeFileSync(path.join(work, 'paused.log'), 'x');
    const events = new Recorder();
    hub.subscribe(events.emit);
    const { taskId } = (await call('task.start', { prompt: 'Delete paused.log' })) as {
      taskId: string;
    };
    await events.next('confirmation.requested');
    expect(front.setPaused(true)).toBe(1);
    expect(front.paused).toBe(true);
    expect(await events.next('task.ended')).toMatchObject({ taskId, status: 'stopped' });
    expect(fs.existsSync(path.join(work, 'paused.log'))).toBe(true);
    await expect(call('task.start', { prompt: 'anything' })).rejects.toThrow(/paused; resume it/);
    expect(front.setPaused(false)).toBe(0);
    // Resumed: starts again (the empty rest of the script ends it with an error).
    await expect(call('task.start', { prompt: 'again' })).resolves.toMatchObject({
      taskId: expect.any(String),
    });
    await front.idle();
  });

  it('a saved setting applies to the next task; a running task keeps the rules it started with', async () => {
    const { work, hub, core, call } = await setup([
      // Task 1 asks to delete, and waits for the user while the settings change...
      { text: 'Deleting it.', toolUses: [{ name: 'fs_delete', input: { paths: ['old.log'] } }] },
      // ...task 2, started meanwhile, reads in the folder blocked meanwhile...
      { text: 'Reading.', toolUses: [{ name: 'fs_read', input: { path: 'private/notes.txt' } }] },
      { text: 'Done.' },
      // ...then task 1, answered, goes on under the rules it started with.
      { text: 'Checking.', toolUses: [{ name: 'fs_read', input: { path: 'keep.txt' } }] },
      { text: 'Finished.' },
    ]);
    fs.writeFileSync(path.join(work, 'old.log'), 'x');
    fs.writeFileSync(path.join(work, 'keep.txt'), 'kept');
    fs.mkdirSync(path.join(work, 'private'));
    fs.writeFileSync(path.join(work, 'private', 'notes.txt'), 'secret plans');
    const events = new Recorder();
    hub.subscribe(events.emit);
    const auditLog = () => fs.readFileSync(core.config.logging.file!, 'utf8');

    const first = (await call('task.start', { prompt: 'Delete old.log' })) as { taskId: string };
    const { request } = await events.next('confirmation.requested');
    const blocked = [...core.config.security.blocked_paths, path.join(work, 'private')];
    expect(
      await call('config.set', { key: 'security.blocked_paths', value: blocked }),
    ).toMatchObject({ ok: true, restartNeeded: false });

    const second = (await call('task.start', { prompt: 'Read my notes' })) as { taskId: string };
    await events.next('task.ended', (payload) => payload.taskId === second.taskId);
    expect(core.config.security.blocked_paths).toEqual(blocked);
    expect(auditLog()).toContain('[config] applied "config.yaml changed');
    expect(auditLog()).toMatch(/\[policy\] fs\.read .*decision="deny".*security\.blocked_paths/);

    await call('confirmation.answer', { id: request.id, answer: 'yes' });
    const ended = await events.next('task.ended', (payload) => payload.taskId === first.taskId);
    // Task 1's policy (and its rate limiter) stayed open under it until it ended.
    expect(ended.status).toBe('done');
    expect(fs.existsSync(path.join(work, 'old.log'))).toBe(false);
    expect(auditLog()).toMatch(/\[tool_result\] fs\.read status="success" path="[^"]*keep\.txt"/);
  });

  it('refuses to start a task while config.yaml does not validate, naming the fix', async () => {
    const { core, call } = await setup([]);
    fs.writeFileSync(path.join(core.home, 'config.yaml'), 'security:\n  read_only: maybe\n');
    await expect(call('task.start', { prompt: 'hi' })).rejects.toThrow(
      /read_only.*fix config\.yaml \(omnipalm config validate\)/s,
    );
  });

  it("keeps a tool call's input as the event's detail in the timeline, redacted", async () => {
    const key = 'sk-ant-test-0123456789abcdefghij';
    const { hub, call } = await setup([
      {
        text: 'Writing.',
        toolUses: [{ name: 'fs_write', input: { path: 'k.txt', content: `the key is ${key}` } }],
      },
      { text: 'Written.' },
    ]);
    const events = new Recorder();
    hub.subscribe(events.emit);
    const { taskId } = (await call('task.start', { prompt: 'Write k.txt' })) as {
      taskId: string;
    };
    await events.next('task.ended', (payload) => payload.taskId === taskId);
    const live = await events.next('timeline.event', (payload) => payload.kind === 'tool_call');
    const page = (await call('timeline.page', { taskId, kinds: ['tool_call'] })) as {
      events: { detail?: { input: { path: string; content: string } } }[];
    };
    for (const detail of [
      page.events[0]?.detail,
      live.detail as (typeof page.events)[0]['detail'],
    ]) {
      expect(detail?.input.path).toBe('k.txt');
      expect(detail?.input.content).toMatch(/^the key is \[REDACTED/);
      expect(JSON.stringify(detail)).not.toContain(key);
    }
  });

  it('refuses a task outside the allowed folders before it starts', async () => {
    const { call } = await setup([]);
    await expect(call('task.start', { prompt: 'hi', cwd: '/' })).rejects.toThrow(
      /not inside security\.allowed_paths/,
    );
    await expect(call('task.start', { prompt: '   ' })).rejects.toThrow(/say what to do/);
  });

  it('limits how many tasks run at once', async () => {
    const { hub, core, call } = await setup([]);
    const front = createCoreHandlers(core, {
      mode: 'headless',
      hub,
      version: '1.2.3',
      maxConcurrentTasks: 1,
    });
    cleanups.push(() => front.close());
    const events = new Recorder();
    hub.subscribe(events.emit);
    // The script is empty: the model answers with an error, after the task started.
    const first = (await dispatchCall(front.handlers, 'task.start', { prompt: 'one' })) as {
      taskId: string;
    };
    await expect(dispatchCall(front.handlers, 'task.start', { prompt: 'two' })).rejects.toThrow(
      /1 tasks are running already/,
    );
    const ended = await events.next('task.ended', (payload) => payload.taskId === first.taskId);
    expect(ended.status).toBe('error');
    await front.idle();
    expect(await call('app.getStatus')).toEqual({
      version: '1.2.3',
      mode: 'headless',
      platform: process.platform,
    });
  });
});
