// A real PolicyEnforcer over a temp home and config, for the HTTP, Jira and Slack tools.
import path from 'node:path';
import { afterAll } from 'vitest';
import { configSchema, type SecretName } from '../../../../src-main/config/schema.js';
import { rateLimitsOf } from '../../../../src-main/policy/index.js';
import { PolicyEnforcer } from '../../../../src-main/policy/policyEnforcer.js';
import { RateLimiter } from '../../../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../../../src-main/policy/shellAnalysis.js';
import type { HttpToolContext } from '../../../../src-main/tools/http/index.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

export const JIRA_TOKEN = 'jira-secret-token-0123456789';
export const SLACK_TOKEN = 'xoxb-slack-secret-token-9876543210';

const limiters: RateLimiter[] = [];
afterAll(() => limiters.forEach((limiter) => limiter.close()));

let analyzer: Promise<ShellAnalyzer> | undefined;

/** A tool context over `config` (the config file's data) whose secret store holds `secrets`. */
export async function makeHttpContext(
  config: unknown,
  secrets: Partial<Record<SecretName, string>> = {
    jira_token: JIRA_TOKEN,
    slack_token: SLACK_TOKEN,
  },
): Promise<HttpToolContext> {
  const parsed = configSchema.parse(config);
  const home = makeTempFolder('omnipalm-http-');
  const rateLimits = new RateLimiter({
    databaseFile: path.join(home, 'rate.sqlite'),
    limits: () => rateLimitsOf(parsed),
  });
  limiters.push(rateLimits);
  analyzer ??= ShellAnalyzer.create();
  const enforcer = new PolicyEnforcer({
    config: parsed,
    homeDir: home,
    omnipalmHome: path.join(home, '.omnipalm'),
    shellAnalyzer: await analyzer,
    rateLimits,
    sandboxCanMakeReadOnly: true,
  });
  return {
    enforcer,
    integrations: parsed.integrations,
    resolveSecret: (name) => secrets[name],
  };
}

/** A config whose network integration may reach `hosts` ("127.0.0.1:<port>"). */
export function networkConfig(
  hosts: string[],
  extra: { security?: Record<string, unknown>; integrations?: Record<string, unknown> } = {},
) {
  return {
    security: { rate_limits: { api_calls_per_minute: 10_000 }, ...extra.security },
    integrations: {
      network: { enabled: true, allowed_hosts: hosts },
      ...extra.integrations,
    },
  };
}

export function jiraConfig(origin: string, jira: Record<string, unknown> = {}) {
  return networkConfig([], {
    integrations: { jira: { enabled: true, base_url: origin, ...jira } },
  });
}

export function slackConfig(origin: string, slack: Record<string, unknown> = {}) {
  return networkConfig([], {
    integrations: { slack: { enabled: true, base_url: origin, ...slack } },
  });
}
