// Requests to the model, through the real Anthropic SDK against a scripted loopback server:
// whatever secret reached a message leaves redacted, in JSON and in streaming requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelClient, redactRequestBody } from '../../../src-main/agent/modelClient.js';
import { Redactor } from '../../../src-main/secrets/redactor.js';
import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../../support/scriptedModelServer.js';
import { FAKE_CREDENTIALS, filler } from '../secrets/fakeSecrets.js';

let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModelServer([
    { text: 'Done.' },
    { text: 'Streamed answer, in pieces.' },
  ]);
});
afterAll(() => server.close());

const apiKey = 'sk-' + 'ant-' + 'api03-' + filler(93, 'kEy9') + 'AA';
const heldSecret = 'jira-' + filler(40, 'Zq7');

function client() {
  const redactor = new Redactor();
  redactor.registerSecret('llm_api_key', apiKey);
  redactor.registerSecret('jira_token', heldSecret);
  return createModelClient({ apiKey, baseURL: server.baseURL, redactor, maxRetries: 0 });
}

const leaky = [
  `cat .env printed:\nJIRA_TOKEN=${heldSecret}`,
  ...FAKE_CREDENTIALS.map((credential) => `${credential.label}: ${credential.value}`),
  `and my own key ${apiKey} by mistake`,
].join('\n');

describe('model client', () => {
  it('sends the key in its Authorization header but no secret in the body (JSON request)', async () => {
    const reply = await client().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'text', text: leaky }] }],
    });
    expect(reply.content[0]).toMatchObject({ type: 'text', text: 'Done.' });
    const request = server.requests.at(-1)!;
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request.body).not.toContain(heldSecret);
    expect(request.body).not.toContain(apiKey);
    for (const credential of FAKE_CREDENTIALS)
      expect(request.body, credential.label).not.toContain(credential.value);
    expect(request.body).toContain('[REDACTED:jira_token]');
    expect(JSON.parse(request.body).messages[0].content[0].text).toContain('cat .env printed:');
  });

  it('redacts streaming requests the same way and streams the answer back', async () => {
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      system: `Context from a tool: ${heldSecret}`,
      messages: [{ role: 'user', content: leaky }],
    });
    let text = '';
    stream.on('text', (piece) => (text += piece));
    const final = await stream.finalMessage();
    expect(text).toBe('Streamed answer, in pieces.');
    expect(final.usage.output_tokens).toBe(5);
    const body = server.requests.at(-1)!.body;
    expect(JSON.parse(body).stream).toBe(true);
    expect(body).not.toContain(heldSecret);
    expect(body).not.toContain(apiKey);
  });

  it('leaves ordinary text alone', () => {
    const redactor = new Redactor();
    const body = JSON.stringify({
      messages: [
        {
          role: 'user',
          content:
            'Delete all .log files older than 30 days in ~/projects (task-ant, desk-antenna)',
        },
      ],
    });
    expect(redactRequestBody(body, redactor)).toBe(body);
  });
});
