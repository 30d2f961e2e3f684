// The SMTP side of email.send: one nodemailer transport per message, built from config, with
// the password taken from the secret store at the last moment and kept out of every error.
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { OmniPalmConfig, SecretName } from '../../config/schema.js';

type EmailSettings = OmniPalmConfig['integrations']['email'];

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

export interface EmailMessage {
  to: string[];
  cc?: string[] | undefined;
  subject: string;
  body: string;
}

/** An SMTP failure, its message scrubbed of the password; `code` is nodemailer's (EAUTH…). */
export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly responseCode: number | undefined,
  ) {
    super(message);
    this.name = 'EmailSendError';
  }
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/** Every form the password could take in a message: as is, and base64 as AUTH sends it. */
function secretForms(user: string | undefined, password: string): string[] {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [password, base64(password), base64(`\0${user ?? ''}\0${password}`)];
}

function scrub(text: string, forms: readonly string[]): string {
  return forms.reduce((scrubbed, form) => scrubbed.replaceAll(form, '[redacted]'), text);
}

function addressOf(entry: string | { address: string }): string {
  return typeof entry === 'string' ? entry : entry.address;
}

export async function sendThroughSmtp(
  settings: EmailSettings,
  message: EmailMessage,
  resolveSecret: (name: SecretName) => string | undefined,
  signal?: AbortSignal,
): Promise<SendResult> {
  const { host, port, secure, user, from } = settings.smtp;
  if (host === undefined || from === undefined) {
    throw new Error(
      `email is not configured: set integrations.email.smtp.${host === undefined ? 'host' : 'from'} with omnipalm config set`,
    );
  }
  let password: string | undefined;
  if (user !== undefined) {
    password = resolveSecret('smtp_password');
    if (!password) {
      throw new Error(
        `no SMTP password for ${user}: store it with: omnipalm keys set smtp_password (or set OMNIPALM_SMTP_PASSWORD)`,
      );
    }
  }
  const loopback = isLoopback(host);
  const options: SMTPTransport.Options = {
    host,
    port,
    secure,
    // Without TLS from the start, STARTTLS is required: a network attacker who strips it from
    // the server's greeting must not get the password and message in clear text. Only a server
    // on this machine (no wire to listen on) may be spoken to without TLS.
    requireTLS: !secure && !loopback,
    ignoreTLS: !secure && loopback,
    ...(user !== undefined && password !== undefined ? { auth: { user, pass: password } } : {}),
    // Protocol logs would carry the AUTH exchange: never enabled.
    logger: false,
    debug: false,
    // The message is plain text from the model: nothing in it may make nodemailer read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  };
  const transport = nodemailer.createTransport(options);
  const abort = () => transport.close();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    const info = await transport.sendMail({
      from,
      to: message.to,
      ...(message.cc && message.cc.length > 0 ? { cc: message.cc } : {}),
      subject: message.subject,
      text: message.body,
    });
    return {
      messageId: info.messageId,
      accepted: info.accepted.map(addressOf),
      rejected: info.rejected.map(addressOf),
    };
  } catch (error) {
    signal?.throwIfAborted();
    const failure = error as Error & { code?: string; responseCode?: number };
    const forms = password === undefined ? [] : secretForms(user, password);
    // Only the scrubbed message leaves: the original error (its command, response, cause)
    // could hold the AUTH exchange.
    throw new EmailSendError(
      scrub(`sending email through ${host}:${port} failed: ${failure.message}`, forms),
      failure.code,
      failure.responseCode,
    );
  } finally {
    signal?.removeEventListener('abort', abort);
    transport.close();
  }
}
