import { describe, expect, it } from 'vitest';
import { scrubEnvironment } from '../../../src-main/secrets/environment.js';
import { filler } from './fakeSecrets.js';

const llmKey = 'sk-' + 'ant-' + 'api03-' + filler(40);

describe('scrubEnvironment', () => {
  it("removes OmniPalm's secret variables and keeps everything else", () => {
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: '/home/user',
      OMNIPALM_HOME: '/home/user/.omnipalm',
      OMNIPALM_LLM_API_KEY: llmKey,
      OMNIPALM_JIRA_TOKEN: 'jira-' + filler(20),
      OMNIPALM_SLACK_TOKEN: 'slack-' + filler(20),
      OMNIPALM_SMTP_PASSWORD: 'pw-' + filler(12),
      OMNIPALM_LOG_LEVEL: 'DEBUG',
    };
    expect(scrubEnvironment(env, [])).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/user',
      OMNIPALM_HOME: '/home/user/.omnipalm',
      OMNIPALM_LOG_LEVEL: 'DEBUG',
    });
  });

  it('removes any OMNIPALM_ variable named like a secret, in any case', () => {
    const env = {
      OMNIPALM_GITHUB_TOKEN: 'x',
      OMNIPALM_WEBHOOK_SECRET: 'x',
      OMNIPALM_DB_PASSWORD: 'x',
      OMNIPALM_SIGNING_KEY: 'x',
      OMNIPALM_SECRET: 'x',
      Omnipalm_Llm_Api_Key: 'x',
      OMNIPALM_KEYRING: 'file',
      OMNIPALM_TOKEN_LIMIT: '1000',
      GITHUB_TOKEN: 'not ours, not registered',
    };
    expect(scrubEnvironment(env, [])).toEqual({
      OMNIPALM_KEYRING: 'file',
      OMNIPALM_TOKEN_LIMIT: '1000',
      GITHUB_TOKEN: 'not ours, not registered',
    });
  });

  it("removes every MCP server's secret variable, whatever it is named", () => {
    const env = {
      OMNIPALM_MCP_COMPANY_DOCS: 'x',
      OMNIPALM_MCP_GITHUB_TOKEN: 'x',
      Omnipalm_Mcp_Db: 'x',
      OMNIPALM_MCPX: 'not an MCP secret variable',
    };
    expect(scrubEnvironment(env, [])).toEqual({ OMNIPALM_MCPX: 'not an MCP secret variable' });
  });

  it('removes any variable whose value contains a registered secret', () => {
    const env = {
      ANTHROPIC_API_KEY: llmKey,
      CURL_HEADER: `x-api-key: ${llmKey}`,
      EDITOR: 'vim',
      SHORT: 'abc',
    };
    expect(scrubEnvironment(env, new Set([llmKey, 'abc']))).toEqual({
      EDITOR: 'vim',
      SHORT: 'abc',
    });
  });

  it('returns a copy and leaves the given environment alone', () => {
    const env: NodeJS.ProcessEnv = { OMNIPALM_LLM_API_KEY: llmKey, LANG: 'C', EMPTY: undefined };
    const scrubbed = scrubEnvironment(env, [llmKey]);
    expect(scrubbed).toEqual({ LANG: 'C' });
    expect(scrubbed).not.toBe(env);
    expect(env.OMNIPALM_LLM_API_KEY).toBe(llmKey);
  });
});
