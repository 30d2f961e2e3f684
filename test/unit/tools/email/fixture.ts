// A real SMTP server on loopback (AUTH PLAIN required, no STARTTLS) and a real PolicyEnforcer,
// so email.send is tested end to end: what the server received is what the user previewed.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { configSchema } from '../../../../src-main/config/schema.js';
import { rateLimitsOf } from '../../../../src-main/policy/index.js';
import { PolicyEnforcer } from '../../../../src-main/policy/policyEnforcer.js';
import { RateLimiter } from '../../../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../../../src-main/policy/shellAnalysis.js';
import type { EmailToolContext } from '../../../../src-main/tools/email/index.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

export const SMTP_USER = 'omnipalm@example.com';
export const SMTP_PASSWORD = 'correct horse battery staple';

export interface ReceivedEmail {
  from: string;
  /** The envelope's RCPT TO addresses: who really gets it. */
  recipients: string[];
  raw: string;
  headers: Map<string, string>;
  body: string;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedEmail[];
}

function parse(raw: string, from: string, recipients: string[]): ReceivedEmail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  // Unfold continuation lines, then read "Name: value".
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { from, recipients, raw, headers, body: raw.slice(split + 4).replace(/\r\n$/, '') };
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: false,
    authMethods: ['PLAIN'],
    // Loopback only: no TLS, so AUTH has to be allowed without it.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const recipients = session.envelope.rcptTo.map((recipient) => recipient.address);
        received.push(parse(Buffer.concat(chunks).toString('utf8'), from, recipients));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, received };
}

const limiters: RateLimiter[] = [];
afterAll(() => limiters.forEach((limiter) => limiter.close()));

/** An email context over `config` (the config file's data) whose secret store holds `secrets`. */
export async function makeEmailContext(
  config: unknown,
  secrets: { smtp_password?: string } = { smtp_password: SMTP_PASSWORD },
): Promise<EmailToolContext> {
  const parsed = configSchema.parse(config);
  const home = makeTempFolder('omnipalm-email-');
  const rateLimits = new RateLimiter({
    databaseFile: path.join(home, 'rate.sqlite'),
    limits: () => rateLimitsOf(parsed),
  });
  limiters.push(rateLimits);
  const enforcer = new PolicyEnforcer({
    config: parsed,
    homeDir: home,
    omnipalmHome: path.join(home, '.omnipalm'),
    shellAnalyzer: await ShellAnalyzer.create(),
    rateLimits,
    sandboxCanMakeReadOnly: true,
  });
  return {
    enforcer,
    email: parsed.integrations.email,
    resolveSecret: (name) => (name === 'smtp_password' ? secrets.smtp_password : undefined),
  };
}

/** integrations.email for the test server. */
export function emailConfig(port: number, extra: Record<string, unknown> = {}) {
  return {
    integrations: {
      email: {
        enabled: true,
        smtp: { host: '127.0.0.1', port, secure: false, user: SMTP_USER, from: SMTP_USER },
        ...extra,
      },
    },
  };
}
