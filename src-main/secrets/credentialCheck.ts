// Keeps credentials out of config.yaml. The file is plain text that users paste into issues,
// sync between machines and commit to dotfile repositories; keys belong in the keychain
// (`omnipalm keys set`). A config whose values look like a credential is refused as a whole,
// so `config set` writes nothing and `config validate` fails, instead of the key being stored
// where it would leak.
import { REDACTION_RULES } from './redactor.js';

export interface CredentialFinding {
  /** Where the value is, as config keys and list indexes: ['llm', 'model'], ['a', 2]. */
  path: (string | number)[];
  /** The redaction rule that matched, such as `anthropic-api-key`. */
  rule: string;
}

// Non-global copies: `test` on a shared global regex would carry lastIndex between calls.
const RULES = REDACTION_RULES.map(({ name, pattern }) => ({
  name,
  pattern: new RegExp(pattern.source, pattern.flags.replace('g', '')),
}));

/** Every string in `data` (values and keys of maps, items of lists, at any depth) that one of
 * the default redaction rules matches; one finding per string, named after the first rule that
 * matched. Registered secrets are not looked for: only the pattern rules. */
export function findCredentials(data: unknown): CredentialFinding[] {
  const findings: CredentialFinding[] = [];
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      const rule = RULES.find(({ pattern }) => pattern.test(value));
      if (rule) findings.push({ path, rule: rule.name });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        // A map key (a model name under llm.prices) is written to the file just like a value.
        const keyRule = RULES.find(({ pattern }) => pattern.test(key));
        if (keyRule) findings.push({ path: [...path, key], rule: keyRule.name });
        else visit(item, [...path, key]);
      }
    }
  };
  visit(data, []);
  return findings;
}

const SECRET_NAME_BY_RULE: Readonly<Record<string, string>> = {
  'anthropic-api-key': 'llm_api_key',
  'openai-api-key': 'llm_api_key',
  'slack-token': 'slack_token',
  'slack-webhook-url': 'slack_token',
  'atlassian-api-token': 'jira_token',
};

/** The `omnipalm keys set` name a credential matched by `rule` most likely belongs under. */
export function secretNameFor(rule: string): string {
  return SECRET_NAME_BY_RULE[rule] ?? 'llm_api_key, jira_token, slack_token or smtp_password';
}

/** The message for one finding, after `<file>:<line>:<col>: <key path>: `. It never repeats the
 * value: the message is printed and may be logged. */
export function credentialMessage(rule: string): string {
  return (
    `looks like a credential (${rule}); keys never live in config.yaml — ` +
    `store it with: omnipalm keys set ${secretNameFor(rule)}`
  );
}
