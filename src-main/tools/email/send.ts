// email.send — sends a plain-text email through the configured SMTP server. The plan is what
// the user confirms: every recipient, the subject and the body's start, with a fingerprint of
// all of it; execute() sends exactly that message or nothing.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { OmniPalmConfig, SecretName } from '../../config/schema.js';
import { recipientProblem } from '../../policy/networkRules.js';
import type { Policy } from '../../policy/taskPolicy.js';
import type { PolicyDecision } from '../../policy/types.js';
import { PolicyDeniedError, type Plan } from '../fs/shared.js';
import { recipientAllowed, visible } from './recipients.js';
import { sendThroughSmtp, type SendResult } from './transport.js';

export type EmailSettings = OmniPalmConfig['integrations']['email'];

export interface EmailToolContext {
  enforcer: Policy;
  /** The settings in force: integrations.email. */
  email: EmailSettings;
  /** The SecretStore's resolve, reduced to the value (undefined when the secret is not set). */
  resolveSecret: (name: SecretName) => string | undefined;
  signal?: AbortSignal;
}

export const MAX_RECIPIENTS = 50;
export const MAX_BODY_BYTES = 100 * 1024;
/** Body lines shown in the confirmation; the rest is behind its "List" button. */
export const PREVIEW_BODY_LINES = 20;

const address = z.string().refine((value) => recipientProblem([value]) === undefined, {
  error: (issue) => `not a valid email address: ${JSON.stringify(issue.input)}`,
});

const inputSchema = z.strictObject({
  to: z
    .array(address)
    .min(1, { error: 'an email needs at least one recipient' })
    .max(MAX_RECIPIENTS, { error: `at most ${MAX_RECIPIENTS} recipients` })
    .describe('Recipient addresses, e.g. ["alice@example.com"].'),
  cc: z
    .array(address)
    .max(MAX_RECIPIENTS, { error: `at most ${MAX_RECIPIENTS} cc recipients` })
    .optional()
    .describe('Addresses to copy.'),
  subject: z
    .string()
    .min(1, { error: 'the subject may not be empty' })
    .max(300, { error: 'the subject may be at most 300 characters' })
    // A line break in the subject would start a new header (Bcc: …): header injection.
    .refine((value) => !/[\r\n]/.test(value), {
      error: 'the subject may not contain line breaks',
    })
    .describe('One line, at most 300 characters.'),
  body: z
    .string()
    .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_BODY_BYTES, {
      error: `the body may be at most ${MAX_BODY_BYTES / 1024} KB`,
    })
    .describe('Plain text.'),
});
export type EmailSendInput = z.infer<typeof inputSchema>;

export interface EmailPlan extends Plan<EmailSendInput> {
  /** The headers and the whole body, for the confirmation's "List" button. */
  fullPreview: string[];
}

export function recipientsOf(input: EmailSendInput): string[] {
  return [...input.to, ...(input.cc ?? [])];
}

/** Changes when anything the user saw changes: who, subject or body. */
export function emailFingerprint(input: EmailSendInput): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        to: [...input.to].sort(),
        cc: [...(input.cc ?? [])].sort(),
        subject: input.subject,
        body: input.body,
      }),
    )
    .digest('hex');
}

function denial(reason: string, rule: string): PolicyDecision {
  return { decision: 'deny', reason, risk: 'medium', rule, operations: ['send_email'] };
}

/** The email integration's own rules: switched on, and only to allowed recipients. */
function settingsDecision(settings: EmailSettings, recipients: string[]): PolicyDecision | null {
  if (!settings.enabled) {
    return denial(
      'email is disabled; configure integrations.email.smtp and enable it with: omnipalm config set integrations.email.enabled true',
      'integrations.email.enabled',
    );
  }
  const outside = recipients.filter(
    (recipient) => !recipientAllowed(recipient, settings.allowed_recipients),
  );
  if (outside.length > 0) {
    return denial(
      `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in integrations.email.allowed_recipients; add ${outside.length === 1 ? 'it' : 'them'} there to allow ${outside.length === 1 ? 'it' : 'them'}`,
      'integrations.email.allowed_recipients',
    );
  }
  return null;
}

function decide(context: EmailToolContext, recipients: string[], dryRun: boolean): PolicyDecision {
  const own = settingsDecision(context.email, recipients);
  if (own) return own;
  return context.enforcer.decide({ op: 'send_email', recipients }, { dryRun });
}

function headerLines(input: EmailSendInput): string[] {
  return [
    `To: ${input.to.join(', ')}`,
    ...(input.cc && input.cc.length > 0 ? [`Cc: ${input.cc.join(', ')}`] : []),
    `Subject: ${input.subject}`,
  ].map(visible);
}

export interface EmailTool {
  name: `email.${string}`;
  modelName: `email_${string}`;
  description: string;
  inputSchema: z.ZodType<EmailSendInput>;
  operation: 'send_email';
  plan(input: EmailSendInput, context: EmailToolContext): EmailPlan;
  execute(plan: EmailPlan, context: EmailToolContext): Promise<SendResult>;
}

export const emailSend: EmailTool = {
  name: 'email.send',
  modelName: 'email_send',
  description:
    'Send a plain-text email from the configured address. The user sees the recipients, subject and body before it is sent.',
  inputSchema,
  operation: 'send_email',

  plan(input, context) {
    const recipients = recipientsOf(input);
    const decision = decide(context, recipients, true);
    const bodyLines = input.body.split(/\r?\n/).map(visible);
    const more = bodyLines.length - PREVIEW_BODY_LINES;
    const others = recipients.length - 1;
    return {
      tool: 'email.send',
      input,
      targets: [...recipients].sort(),
      decision,
      summary: `Send email to ${visible(input.to[0]!)}${others > 0 ? ` (+${others} more)` : ''}?`,
      preview: [
        ...headerLines(input),
        ...bodyLines.slice(0, PREVIEW_BODY_LINES),
        ...(more > 0 ? [`… ${more} more line${more === 1 ? '' : 's'}`] : []),
      ],
      fullPreview: [...headerLines(input), '', ...bodyLines],
      fingerprint: emailFingerprint(input),
    };
  },

  async execute(plan, context) {
    if (plan.decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, plan.decision);
    // The confirmation covered the fingerprint: a message edited after it is not what was approved.
    if (emailFingerprint(plan.input) !== plan.fingerprint) {
      throw new Error('email.send: the email changed after it was previewed; nothing was sent');
    }
    context.signal?.throwIfAborted();
    const decision = decide(context, recipientsOf(plan.input), false);
    if (decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, decision);
    return sendThroughSmtp(context.email, plan.input, context.resolveSecret, context.signal);
  },
};
