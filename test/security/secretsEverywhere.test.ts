// Known-format fake keys planted in the environment, tool output, errors and streamed text:
// none survives into an audit log line, a timeline row, a CLI error or a request body the
// scripted model server captures — while look-alikes are left alone (issue: secrets).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelClient } from '../../src-main/agent/modelClient.js';
import { AuditLog } from '../../src-main/audit/auditLog.js';
import { AuditTrail } from '../../src-main/audit/auditTrail.js';
import { Monitor } from '../../src-main/audit/monitor.js';
import { configSchema } from '../../src-main/config/schema.js';
import { scrubEnvironment } from '../../src-main/secrets/environment.js';
import { Redactor } from '../../src-main/secrets/redactor.js';
import { SecretStore } from '../../src-main/secrets/secretStore.js';
import { StreamRedactor } from '../../src-main/secrets/streamRedactor.js';
import { openDatabase } from '../../src-main/store/database.js';
import { TimelineStore } from '../../src-main/store/timelineStore.js';
import { runCli } from '../support/runCli.js';
import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../support/scriptedModelServer.js';
import { makeTempFolder, makeTempHome } from '../support/tempFolders.js';
import { FAKE_CREDENTIALS, filler } from '../unit/secrets/fakeSecrets.js';
import { auditSettings } from '../support/auditSettings.js';

const envKey = 'sk-' + 'ant-' + 'api03-' + filler(93, 'EnV7') + 'AA';
const slackFromEnv =
  'xox' + 'b-' + '1'.repeat(12) + '-' + '2'.repeat(13) + '-' + filler(24, 'sLk9');
const LOOK_ALIKES =
  'task-ant desk-antenna claude-sonnet-4-6 https://user@host.example/x ~/projects/sk-proj-notes 3f2c9a1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f';

let server: ScriptedModelServer;
let redactor: Redactor;
let folder: string;

beforeAll(async () => {
  server = await startScriptedModelServer([{ text: 'ok' }]);
  folder = makeTempFolder();
  redactor = new Redactor();
  // Keys resolved from the environment are registered with the Redactor as they resolve.
  const store = new SecretStore({
    home: path.join(folder, 'home'),
    env: { OMNIPALM_LLM_API_KEY: envKey, OMNIPALM_SLACK_TOKEN: slackFromEnv },
    redactor,
    keychain: {
      probe: () => ({
        available: false,
        reason: 'not needed: keys come from the environment here',
      }),
      get: () => undefined,
      set: () => undefined,
      delete: () => false,
    },
  });
  expect(store.resolve('llm_api_key')).toMatchObject({ source: 'env', value: envKey });
  expect(store.resolve('slack_token')).toMatchObject({ source: 'env' });
});
afterAll(() => server.close());

const planted = () =>
  [
    `tool output of cat .env:\nOMNIPALM_LLM_API_KEY=${envKey}\nSLACK=${slackFromEnv}`,
    `base64 of the key: ${Buffer.from(`key=${envKey}`).toString('base64')}`,
    `url-encoded: ${encodeURIComponent(`k=${envKey}`)}`,
    ...FAKE_CREDENTIALS.map((credential) => `${credential.label}: ${credential.value}`),
    LOOK_ALIKES,
  ].join('\n');

function expectClean(text: string, where: string): void {
  expect(text, where).not.toContain(envKey);
  expect(text, where).not.toContain(slackFromEnv);
  expect(text, where).not.toContain(Buffer.from(`key=${envKey}`).toString('base64').slice(8, 60));
  for (const credential of FAKE_CREDENTIALS)
    expect(text, `${where}: ${credential.label}`).not.toContain(credential.value);
  for (const word of LOOK_ALIKES.split(' ')) expect(text, `${where} keeps ${word}`).toContain(word);
}

describe('secrets never leave redacted places', () => {
  it('keeps them out of audit log lines and timeline rows', () => {
    const config = configSchema.parse({});
    const logFile = path.join(folder, 'logs', 'audit.log');
    const log = new AuditLog({
      settings: auditSettings(logFile, { maxSizeBytes: 1024 ** 2, maxFiles: 2, logApiCalls: true }),
      redact: (text) => redactor.redact(text),
    });
    const db = openDatabase(path.join(folder, 'state', 'timeline.sqlite'));
    const timeline = new TimelineStore(db);
    const trail = new AuditTrail({
      log,
      monitor: new Monitor({ settings: () => config.monitoring }),
      redactor,
      timeline,
    });
    trail.record(
      { kind: 'tool_result', name: 'shell.exec', status: 'success', fields: { output: planted() } },
      { output: planted() },
    );
    trail.record({ kind: 'error', text: `request failed: ${planted()}` });
    log.close();
    expectClean(fs.readFileSync(logFile, 'utf8'), 'audit log');
    expectClean(JSON.stringify(timeline.page({}).events), 'timeline');
    db.close();
  });

  it('keeps them out of every request body the model server receives', async () => {
    const client = createModelClient({
      apiKey: envKey,
      baseURL: server.baseURL,
      redactor,
      maxRetries: 0,
    });
    await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 50,
      messages: [{ role: 'user', content: planted() }],
    });
    expectClean(server.requests.at(-1)!.body, 'model request body');
  });

  it('redacts streamed text split at every chunk boundary', () => {
    const text = planted();
    for (const size of [1, 7, 64, 333]) {
      const stream = new StreamRedactor(redactor);
      let out = '';
      for (let i = 0; i < text.length; i += size) out += stream.push(text.slice(i, i + size));
      out += stream.end();
      expectClean(out, `stream in ${size}-character chunks`);
    }
  });

  it("keeps them out of child processes' environments", () => {
    const env = scrubEnvironment(
      { PATH: '/usr/bin', OMNIPALM_LLM_API_KEY: envKey, MY_COPY: `x${envKey}`, HOME: '/home/u' },
      [envKey],
    );
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/u' });
  });

  it('keeps them out of CLI error messages', async () => {
    const credential = FAKE_CREDENTIALS[0]!.value;
    const result = await runCli(['config', 'get', credential], { home: makeTempHome() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown config key');
    expect(result.stderr).not.toContain(credential);
    const set = await runCli(['config', 'set', 'llm.model', credential], { home: makeTempHome() });
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('omnipalm keys set llm_api_key');
    expect(set.stderr).not.toContain(credential);
  });
});
