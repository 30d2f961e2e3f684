import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../../src-main/config/schema.js';
import { recipientAllowed } from '../../../../src-main/tools/email/index.js';

const issuesOf = (data: unknown) =>
  (configSchema.safeParse(data).error?.issues ?? []).map(
    (issue) => `${issue.path.join('.')}: ${issue.message}`,
  );

describe('integrations.email config', () => {
  it('is off by default, STARTTLS on 587, anyone allowed once enabled', () => {
    expect(configSchema.parse({}).integrations.email).toEqual({
      enabled: false,
      smtp: { port: 587, secure: false },
      allowed_recipients: [],
    });
  });

  it('needs a host and a sender before it can be enabled', () => {
    expect(issuesOf({ integrations: { email: { enabled: true } } })).toEqual([
      'integrations.email.smtp.host: required when email is enabled; set it with: omnipalm config set integrations.email.smtp.host …',
      'integrations.email.smtp.from: required when email is enabled; set it with: omnipalm config set integrations.email.smtp.from …',
    ]);
  });

  it('names what is wrong in a bad value', () => {
    expect(
      issuesOf({
        integrations: {
          email: {
            smtp: { port: 70000, from: 'not an address', hots: 'x' },
            allowed_recipients: ['alice@example.com', 'everyone'],
          },
        },
      }),
    ).toEqual([
      'integrations.email.smtp.port: expected a port from 1 to 65535',
      'integrations.email.smtp.from: expected an email address such as "me@example.com", got "not an address"',
      'integrations.email.smtp: Unrecognized key: "hots"',
      'integrations.email.allowed_recipients.1: expected an email address such as "alice@example.com" or a domain such as "*@example.com", got "everyone"',
    ]);
  });

  it('matches recipients exactly or by whole domain, ignoring case', () => {
    const patterns = ['Alice@Example.com', '*@corp.example'];
    expect(recipientAllowed('alice@example.com', patterns)).toBe(true);
    expect(recipientAllowed('bob@CORP.example', patterns)).toBe(true);
    expect(recipientAllowed('bob@example.com', patterns)).toBe(false);
    expect(recipientAllowed('bob@sub.corp.example', patterns)).toBe(false);
    expect(recipientAllowed('bob@evilcorp.example', patterns)).toBe(false);
    expect(recipientAllowed('anyone@anywhere.example', [])).toBe(true);
  });
});
