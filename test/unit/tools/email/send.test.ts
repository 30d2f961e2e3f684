import { beforeAll, describe, expect, it } from 'vitest';
import {
  emailSend,
  EmailSendError,
  type EmailSendInput,
} from '../../../../src-main/tools/email/index.js';
import { PolicyDeniedError } from '../../../../src-main/tools/fs/index.js';
import {
  emailConfig,
  makeEmailContext,
  SMTP_PASSWORD,
  SMTP_USER,
  startSmtpServer,
  type TestSmtpServer,
} from './fixture.js';

let server: TestSmtpServer;
beforeAll(async () => {
  server = await startSmtpServer();
});

const message: EmailSendInput = {
  to: ['alice@example.com'],
  cc: ['bob@example.org'],
  subject: 'Quarterly report',
  body: 'Hello Alice,\n\nthe report is attached in spirit.\n\nOmniPalm',
};

describe('email.send', () => {
  it('sends the previewed email through the SMTP server, to every recipient', async () => {
    const context = await makeEmailContext(emailConfig(server.port));
    const plan = emailSend.plan(emailSend.inputSchema.parse(message), context);
    expect(plan.decision.decision).toBe('ask'); // send_email needs confirmation by default
    const before = server.received.length;

    const result = await emailSend.execute(plan, context);

    expect(result.accepted.sort()).toEqual(['alice@example.com', 'bob@example.org']);
    expect(result.rejected).toEqual([]);
    expect(result.messageId).toMatch(/^<.+@.+>$/);
    expect(server.received).toHaveLength(before + 1);
    const email = server.received.at(-1)!;
    expect(email.from).toBe(SMTP_USER);
    expect(email.recipients.sort()).toEqual(['alice@example.com', 'bob@example.org']);
    expect(email.headers.get('subject')).toBe('Quarterly report');
    expect(email.headers.get('to')).toBe('alice@example.com');
    expect(email.headers.get('cc')).toBe('bob@example.org');
    expect(email.headers.get('from')).toBe(SMTP_USER);
    expect(email.headers.get('message-id')).toBe(result.messageId);
    expect(email.body.replaceAll('\r\n', '\n')).toBe(message.body);
  });

  it('previews who, subject and the first 20 body lines; the full body behind the list', async () => {
    const context = await makeEmailContext(emailConfig(server.port));
    const body = Array.from({ length: 25 }, (_, index) => `line ${index + 1}`).join('\n');
    const plan = emailSend.plan({ ...message, body }, context);

    expect(plan.summary).toBe('Send email to alice@example.com (+1 more)?');
    expect(plan.preview).toEqual([
      'To: alice@example.com',
      'Cc: bob@example.org',
      'Subject: Quarterly report',
      ...Array.from({ length: 20 }, (_, index) => `line ${index + 1}`),
      '… 5 more lines',
    ]);
    expect(plan.fullPreview.slice(4)).toEqual(body.split('\n'));
    expect(plan.targets).toEqual(['alice@example.com', 'bob@example.org']);

    const single = emailSend.plan({ to: ['alice@example.com'], subject: 'Hi', body: 'x' }, context);
    expect(single.summary).toBe('Send email to alice@example.com?');
    expect(single.preview).toEqual(['To: alice@example.com', 'Subject: Hi', 'x']);
  });

  it('fingerprints recipients, subject and body', async () => {
    const context = await makeEmailContext(emailConfig(server.port));
    const fingerprint = (input: EmailSendInput) => emailSend.plan(input, context).fingerprint;
    const base = fingerprint(message);
    expect(fingerprint({ ...message })).toBe(base);
    expect(fingerprint({ ...message, body: `${message.body}!` })).not.toBe(base);
    expect(fingerprint({ ...message, subject: 'Other' })).not.toBe(base);
    expect(fingerprint({ ...message, cc: ['eve@example.org'] })).not.toBe(base);
  });

  it('shows control characters in the body escaped, so the preview cannot hide text', async () => {
    const context = await makeEmailContext(emailConfig(server.port));
    const plan = emailSend.plan({ ...message, body: 'safe\u202Etxt.exe\u001b[2J' }, context);
    expect(plan.preview.at(-1)).toBe('safe\\u202etxt.exe\\u001b[2J');
  });

  it('refuses to send a plan edited after the preview', async () => {
    const context = await makeEmailContext(emailConfig(server.port));
    const plan = emailSend.plan(message, context);
    const before = server.received.length;
    plan.input = { ...plan.input, to: ['eve@example.net'] };
    await expect(emailSend.execute(plan, context)).rejects.toThrow(
      /changed after it was previewed/,
    );
    expect(server.received).toHaveLength(before);
  });

  it('is denied while the email integration is disabled (the default)', async () => {
    const context = await makeEmailContext({});
    const plan = emailSend.plan(message, context);
    expect(plan.decision).toMatchObject({ decision: 'deny', rule: 'integrations.email.enabled' });
    expect(plan.decision.reason).toContain('omnipalm config set integrations.email.enabled true');
    await expect(emailSend.execute(plan, context)).rejects.toBeInstanceOf(PolicyDeniedError);
  });

  it('is denied for a recipient outside integrations.email.allowed_recipients', async () => {
    const context = await makeEmailContext(
      emailConfig(server.port, { allowed_recipients: ['*@example.com', 'bob@example.org'] }),
    );
    expect(emailSend.plan(message, context).decision.decision).toBe('ask');

    for (const outsider of ['eve@mail.example.com', 'eve@evil-example.com', 'carol@example.org']) {
      const plan = emailSend.plan({ ...message, cc: [outsider] }, context);
      expect(plan.decision.decision).toBe('deny');
      expect(plan.decision.rule).toBe('integrations.email.allowed_recipients');
      expect(plan.decision.reason).toContain(outsider);
      expect(plan.decision.reason).toContain('integrations.email.allowed_recipients');
      const before = server.received.length;
      await expect(emailSend.execute(plan, context)).rejects.toBeInstanceOf(PolicyDeniedError);
      expect(server.received).toHaveLength(before);
    }
  });

  it('is denied in read-only mode by the policy', async () => {
    const config = emailConfig(server.port);
    const context = await makeEmailContext({ ...config, security: { read_only: true } });
    const plan = emailSend.plan(message, context);
    expect(plan.decision).toMatchObject({ decision: 'deny', rule: 'security.read_only' });
  });

  it('refuses line breaks in the subject and bad input at the schema', () => {
    for (const subject of ['Hi\r\nBcc: eve@example.net', 'Hi\nthere', 'Hi\rthere']) {
      const result = emailSend.inputSchema.safeParse({ ...message, subject });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('the subject may not contain line breaks');
    }
    const bad = [
      { ...message, to: [] },
      { ...message, to: ['alice@example.com\r\nBcc: eve@example.net'] },
      { ...message, to: Array.from({ length: 51 }, (_, index) => `user${index}@example.com`) },
      { ...message, subject: '' },
      { ...message, subject: 'x'.repeat(301) },
      { ...message, body: 'x'.repeat(100 * 1024 + 1) },
      { ...message, bcc: ['eve@example.net'] },
    ];
    for (const input of bad) expect(emailSend.inputSchema.safeParse(input).success).toBe(false);
    expect(
      emailSend.inputSchema.safeParse({ ...message, body: 'x'.repeat(100 * 1024) }).success,
    ).toBe(true);
  });

  it('reports a wrong password without ever showing a password', async () => {
    const wrong = 'hunter2-wrong-password';
    const context = await makeEmailContext(emailConfig(server.port), { smtp_password: wrong });
    const plan = emailSend.plan(message, context);
    const before = server.received.length;

    const error = await emailSend.execute(plan, context).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(EmailSendError);
    const failure = error as EmailSendError;
    expect(failure.code).toBe('EAUTH');
    expect(failure.message).toContain(`127.0.0.1:${server.port}`);
    const everything = `${failure.message}\n${failure.stack}\n${JSON.stringify(failure)}`;
    for (const secret of [wrong, SMTP_PASSWORD]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
      expect(everything).not.toContain(Buffer.from(`\0${SMTP_USER}\0${secret}`).toString('base64'));
    }
    expect(server.received).toHaveLength(before);
  });

  it('says how to store the password when none is set', async () => {
    const context = await makeEmailContext(emailConfig(server.port), {});
    const plan = emailSend.plan(message, context);
    await expect(emailSend.execute(plan, context)).rejects.toThrow(
      'omnipalm keys set smtp_password',
    );
  });
});
