// The settings view's calls against a real AgentCore over a temporary OMNIPALM_HOME: config
// read and set (saved, validated, audited), keys (described, stored, never echoed), the audit
// log's hash-chain check, and the usage summary read off the timeline.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AgentCore } from '../../../src-main/agent/core.js';
import { ConfigStore } from '../../../src-main/config/index.js';
import type { SecretName } from '../../../src-main/config/schema.js';
import type { Keychain } from '../../../src-main/secrets/secretStore.js';
import {
  coreEventHooks,
  createCoreHandlers,
  EventHub,
} from '../../../src-main/server/coreHandlers.js';
import { dispatchCall } from '../../../src-main/server/dispatch.js';
import { makeTempFolder } from '../../support/tempFolders.js';

const HOUR = 3_600_000;
const ENV_KEY = 'sk-ant-env-0123456789abcdefghij';
const UI_KEY = 'sk-ant-from-the-ui-9876543210zyxw';

/** An OS keychain that answers, kept in memory. */
class MemoryKeychain implements Keychain {
  readonly entries = new Map<SecretName, string>();
  probe() {
    return { available: true as const };
  }
  get(name: SecretName) {
    return this.entries.get(name);
  }
  set(name: SecretName, value: string) {
    this.entries.set(name, value);
  }
  delete(name: SecretName) {
    return this.entries.delete(name);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Options {
  env?: NodeJS.ProcessEnv;
  keychain?: Keychain;
}

async function setup(options: Options = {}) {
  const root = makeTempFolder('omnipalm-settings-');
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.mkdirSync(work);
  const configFile = path.join(home, 'config.yaml');
  fs.writeFileSync(
    configFile,
    '# my settings\n' +
      stringify({
        security: { allowed_paths: [work], sandbox: 'off' },
        integrations: { terminal: { enabled: false } },
      }),
    { mode: 0o600 },
  );
  const hub = new EventHub();
  const core = await AgentCore.open({
    home,
    // No D-Bus session here: the OS keychain is unavailable unless a test passes one.
    env: { HOME: root, OMNIPALM_LLM_API_KEY: ENV_KEY, ...options.env },
    homeDir: root,
    ...(options.keychain ? { keychain: options.keychain } : {}),
    ...coreEventHooks(hub),
  });
  cleanups.push(() => core.close());
  const front = createCoreHandlers(core, { mode: 'headless', hub, version: '1.2.3' });
  cleanups.push(() => front.close());
  const call = (channel: string, payload: unknown = {}) =>
    dispatchCall(front.handlers, channel, payload);
  /** The audit log's text; empty before its first line. */
  const auditLog = () => {
    const file = core.config.logging.file!;
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  };
  return { home, core, call, configFile, auditLog };
}

describe('config.get and config.set', () => {
  it('shows the effective configuration, defaults included', async () => {
    const { call, configFile } = await setup();
    const answer = (await call('config.get')) as {
      config: { security: { require_confirmation: boolean }; integrations: unknown };
      file: string;
      exists: boolean;
      restartNeeded: boolean;
    };
    expect(answer.file).toBe(configFile);
    expect(answer.exists).toBe(true);
    expect(answer.restartNeeded).toBe(false);
    expect(answer.config.security.require_confirmation).toBe(true);
    expect(answer.config.integrations).toMatchObject({ browser: { enabled: false } });
  });

  it('saves a key like `omnipalm config set` and audits it; only restart-only keys need a restart', async () => {
    const { home, call, configFile, auditLog } = await setup();
    // The policy's settings apply to the next task: no restart.
    const answer = await call('config.set', { key: 'integrations.browser.enabled', value: true });
    expect(answer).toEqual({ ok: true, value: true, restartNeeded: false });

    // On disk, comments kept, and what the next task (or `omnipalm policy check`) loads.
    const text = fs.readFileSync(configFile, 'utf8');
    expect(text).toContain('# my settings');
    expect(new ConfigStore(home).load().integrations.browser.enabled).toBe(true);
    expect(auditLog()).toMatch(
      /\[config\] integrations\.browser\.enabled old="false" new="true" by="user" via="ui"/,
    );
    expect(await call('config.get')).toMatchObject({ restartNeeded: false });

    // The audit log's settings are set up at start: those say so.
    expect(await call('config.set', { key: 'logging.log_prompts', value: false })).toMatchObject({
      ok: true,
      restartNeeded: true,
    });
    expect(await call('config.get')).toMatchObject({ restartNeeded: true });
    // Setting it back to what the running app started with needs no restart.
    expect(await call('config.set', { key: 'logging.log_prompts', value: true })).toMatchObject({
      ok: true,
      restartNeeded: false,
    });
  });

  it('takes a list as JSON, and text as text', async () => {
    const { home, call } = await setup();
    const operations = ['delete', 'send_email', 'execute_shell', 'deploy'];
    expect(
      await call('config.set', { key: 'security.confirm_operations', value: operations }),
    ).toMatchObject({ ok: true, value: operations });
    expect(await call('config.set', { key: 'llm.model', value: '123' })).toMatchObject({
      ok: true,
      value: '123',
    });
    const config = new ConfigStore(home).load();
    expect(config.security.confirm_operations).toEqual(operations);
    expect(config.llm.model).toBe('123');
  });

  it('refuses an unknown key with a suggestion, and a bad value, changing nothing', async () => {
    const { call, configFile, auditLog } = await setup();
    const before = fs.readFileSync(configFile, 'utf8');

    const unknown = (await call('config.set', {
      key: 'integrations.browser.enabeld',
      value: true,
    })) as { ok: false; error: string };
    expect(unknown.ok).toBe(false);
    expect(unknown.error).toMatch(/integrations\.browser\.enabeld/);
    expect(unknown.error).toMatch(/did you mean.*integrations\.browser\.enabled/i);

    const invalid = (await call('config.set', {
      key: 'security.stop_on_cost_limit',
      value: -1,
    })) as { ok: false; error: string };
    expect(invalid.ok).toBe(false);
    expect(invalid.error).toMatch(/security\.stop_on_cost_limit/);

    // A switch set to the text "true" is text, not a switch: refused, not reinterpreted.
    expect(
      await call('config.set', { key: 'integrations.browser.enabled', value: 'true' }),
    ).toMatchObject({ ok: false });

    expect(fs.readFileSync(configFile, 'utf8')).toBe(before);
    expect(auditLog()).not.toContain('[config]');
  });
});

describe('secrets', () => {
  it('describes where each key comes from without any value', async () => {
    const { call } = await setup();
    const answer = (await call('secrets.describe')) as {
      secrets: { name: string; source: string; inKeychain: boolean }[];
      keychain: { available: boolean; reason?: string };
    };
    expect(answer.secrets.map((secret) => secret.name)).toEqual([
      'llm_api_key',
      'jira_token',
      'slack_token',
      'smtp_password',
    ]);
    expect(answer.secrets[0]).toEqual({ name: 'llm_api_key', source: 'env', inKeychain: false });
    expect(answer.secrets[1]).toMatchObject({ source: 'missing' });
    expect(answer.keychain.available).toBe(false);
    expect(answer.keychain.reason).toBeTruthy();
    expect(JSON.stringify(answer)).not.toContain(ENV_KEY);
  });

  it('without a keychain refuses to store, naming why, never echoing the key', async () => {
    const { call, auditLog } = await setup();
    const answer = (await call('secrets.store', { name: 'jira_token', value: UI_KEY })) as {
      ok: boolean;
      error: string;
    };
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(/keychain is unavailable/);
    expect(answer.error).toMatch(/OMNIPALM_JIRA_TOKEN/);
    expect(answer.error).not.toContain(UI_KEY);
    const log = auditLog();
    expect(log).not.toContain(UI_KEY);
    expect(log).not.toContain('secrets.jira_token');
  });

  it('a refused request never quotes the key it carried', async () => {
    const { call } = await setup();
    const short = 'sk-1234';
    const long = `sk-${'x'.repeat(10_000)}`;
    for (const value of [short, long]) {
      const failure = await call('secrets.store', { name: 'llm_api_key', value }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failure).toMatch(/secrets\.store: request refused: .*the key must be/s);
      expect(failure).not.toContain(value.slice(0, 20));
    }
    const unknownName = await call('secrets.store', { name: 'aws_key', value: UI_KEY }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(unknownName).toMatch(/request refused/);
    expect(unknownName).not.toContain(UI_KEY);
  });

  it('stores in the keychain, describes it, audits the change without the key', async () => {
    const keychain = new MemoryKeychain();
    // No key in the environment, so the keychain's is the one used.
    const { call, auditLog, core } = await setup({ keychain, env: { OMNIPALM_LLM_API_KEY: '' } });
    expect(await call('secrets.store', { name: 'llm_api_key', value: UI_KEY })).toEqual({
      ok: true,
    });
    expect(keychain.entries.get('llm_api_key')).toBe(UI_KEY);

    const described = (await call('secrets.describe')) as {
      secrets: { name: string; source: string; inKeychain: boolean; lastSet?: string }[];
      keychain: unknown;
    };
    expect(described.keychain).toEqual({ available: true });
    expect(described.secrets[0]).toMatchObject({
      name: 'llm_api_key',
      source: 'keychain',
      inKeychain: true,
      ageDays: 0,
    });
    expect(Date.parse(described.secrets[0]!.lastSet!)).toBeGreaterThan(Date.now() - HOUR);
    expect(JSON.stringify(described)).not.toContain(UI_KEY);

    // The running core uses it at once: keys are resolved on every use.
    expect(core.secrets.resolve('llm_api_key')).toEqual({ value: UI_KEY, source: 'keychain' });

    expect(await call('secrets.remove', { name: 'llm_api_key' })).toEqual({ removed: true });
    expect(await call('secrets.remove', { name: 'llm_api_key' })).toEqual({ removed: false });

    const log = auditLog();
    expect(log).toMatch(/\[config\] secrets\.llm_api_key change="stored" by="user" via="ui"/);
    expect(log).toMatch(/\[config\] secrets\.llm_api_key change="removed" by="user" via="ui"/);
    expect(log).not.toContain(UI_KEY);
  });
});

describe('audit.verify', () => {
  it('passes an intact log and names the first altered line', async () => {
    const { call, core } = await setup();
    await call('config.set', { key: 'integrations.browser.enabled', value: true });
    await call('config.set', { key: 'integrations.browser.enabled', value: false });
    const intact = (await call('audit.verify')) as { ok: boolean; lines: number; files: number };
    expect(intact).toMatchObject({ ok: true, files: 1 });
    expect(intact.lines).toBeGreaterThanOrEqual(2);

    const file = core.config.logging.file!;
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('new="true"', 'new="trUe"'));
    const broken = await call('audit.verify');
    expect(broken).toMatchObject({
      ok: false,
      firstBad: { file, reason: expect.stringMatching(/altered/) as unknown },
    });
  });
});

describe('usage.summary', () => {
  it('counts tool calls per hour and sums each task’s cost', async () => {
    const { call, core } = await setup();
    const now = Date.now();
    const first = randomUUID();
    const second = randomUUID();
    const at = (ago: number) => new Date(now - ago);
    const tool = (ago: number, taskId: string) =>
      core.trail.record({
        kind: 'tool_call',
        name: 'fs.read',
        tool: 'fs.read',
        taskId,
        time: at(ago),
      });
    tool(100 * HOUR, first); // outside the 48 hours
    tool(3 * HOUR, first);
    tool(3 * HOUR + 60_000, first);
    tool(60_000, second);
    core.trail.record({
      kind: 'agent_response',
      text: 'a',
      taskId: first,
      costUsd: 0.25,
      time: at(2 * HOUR),
    });
    core.trail.record({
      kind: 'agent_response',
      text: 'b',
      taskId: first,
      costUsd: 0.5,
      time: at(2 * HOUR),
    });
    core.trail.record({
      kind: 'agent_response',
      text: 'c',
      taskId: second,
      costUsd: 1,
      time: at(0),
    });

    const summary = (await call('usage.summary')) as {
      actionsPerHour: { hour: number; count: number }[];
      costPerTask: { taskId: string; costUsd: number; endedAt: number }[];
      truncated: boolean;
    };
    expect(summary.actionsPerHour).toHaveLength(48);
    expect(summary.truncated).toBe(false);
    const bucket = (ago: number) => Math.floor((now - ago) / HOUR) * HOUR;
    const counts = new Map(summary.actionsPerHour.map(({ hour, count }) => [hour, count]));
    expect(summary.actionsPerHour.reduce((sum, { count }) => sum + count, 0)).toBe(3);
    expect(counts.get(bucket(60_000))).toBe(1);
    expect(counts.get(bucket(3 * HOUR)) ?? 0).toBeGreaterThanOrEqual(1);
    expect(summary.actionsPerHour.at(-1)!.hour).toBe(bucket(0));

    expect(summary.costPerTask).toEqual([
      { taskId: first, costUsd: 0.75, endedAt: now - 2 * HOUR },
      { taskId: second, costUsd: 1, endedAt: now },
    ]);

    const short = (await call('usage.summary', { hours: 1 })) as typeof summary;
    expect(short.actionsPerHour).toHaveLength(1);
    await expect(call('usage.summary', { hours: 721 })).rejects.toThrow(/request refused/);
  });
});
