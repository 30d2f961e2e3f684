import { describe, expect, it } from 'vitest';
import {
  credentialMessage,
  findCredentials,
  secretNameFor,
} from '../../../src-main/secrets/credentialCheck.js';
import { FAKE_CREDENTIALS } from './fakeSecrets.js';

describe('findCredentials', () => {
  it.each(FAKE_CREDENTIALS)('finds a $label as $rule', ({ rule, value }) => {
    expect(findCredentials({ llm: { model: value } })).toEqual([{ path: ['llm', 'model'], rule }]);
  });

  it('looks into lists and maps at any depth, and at map keys', () => {
    const token = FAKE_CREDENTIALS.find((fake) => fake.rule === 'slack-token')!.value;
    const key = FAKE_CREDENTIALS.find((fake) => fake.rule === 'openai-api-key')!.value;
    const data = {
      secrets: { slack_token: { command: ['echo', token], timeout_seconds: 10 } },
      llm: { prices: { [key]: { input_per_million: 1 } } },
    };
    expect(findCredentials(data)).toEqual([
      { path: ['secrets', 'slack_token', 'command', 1], rule: 'slack-token' },
      { path: ['llm', 'prices', key], rule: 'openai-api-key' },
    ]);
  });

  it('leaves look-alikes alone', () => {
    const data = {
      model: 'claude-sonnet-4-5',
      other: ['gpt-4o-mini-2024-07-18', 'sk-ant-short', 'xoxo-hugs'],
      base_url: 'https://user@llm.example.com:8443/v1?api=1',
      paths: ['~/projects/sk-proj-notes', '/srv/data/ghp_archive', 'C:\\Users\\me\\token.txt'],
      hosts: ['api.anthropic.com', 'hooks.slack.com', '*.atlassian.net'],
      keywords: ['password', 'api_key', 'private key', 'base64 -d'],
      numbers: [1, true, null],
    };
    expect(findCredentials(data)).toEqual([]);
  });
});

describe('credential messages', () => {
  it('names the keys set name that fits the credential, never the value', () => {
    expect(secretNameFor('anthropic-api-key')).toBe('llm_api_key');
    expect(secretNameFor('openai-api-key')).toBe('llm_api_key');
    expect(secretNameFor('slack-token')).toBe('slack_token');
    expect(secretNameFor('atlassian-api-token')).toBe('jira_token');
    expect(secretNameFor('github-token')).toBe(
      'llm_api_key, jira_token, slack_token or smtp_password',
    );
    expect(credentialMessage('slack-token')).toBe(
      'looks like a credential (slack-token); keys never live in config.yaml — ' +
        'store it with: omnipalm keys set slack_token',
    );
  });
});
