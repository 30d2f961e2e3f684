// The configuration schema: every key of DESIGN.md §3 with the security guide's defaults.
// Objects are strict so that a typo ("alowed_paths") is an error instead of a silently
// ignored — and therefore more permissive — setting.
import path from 'node:path';
import { z } from 'zod';
import { acceleratorProblem } from './accelerator';
import { MCP_SECRET_NAME, mcpSchema } from './mcpSchema.js';
import { OPERATIONS } from './operations.js';

export { OPERATIONS, type Operation } from './operations.js';

/** The secrets OmniPalm holds (keychain names); later integrations add theirs here. */
export const SECRET_NAMES = ['llm_api_key', 'jira_token', 'slack_token', 'smtp_password'] as const;
export type FixedSecretName = (typeof SECRET_NAMES)[number];
/** A secret the user names for an MCP server (integrations.mcp.servers.*.env/headers). */
export type McpSecretName = `mcp_${string}`;
export type SecretName = FixedSecretName | McpSecretName;

export function isFixedSecretName(name: string): name is FixedSecretName {
  return (SECRET_NAMES as readonly string[]).includes(name);
}

/** One of the fixed names, or mcp_ then lowercase letters, digits and _. */
export function isSecretName(name: string): name is SecretName {
  return isFixedSecretName(name) || MCP_SECRET_NAME.test(name);
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export const LLM_PROVIDERS = ['anthropic', 'openai-compatible'] as const;

// The address shape the policy accepts (no spaces, quotes or CR/LF that could smuggle headers).
const EMAIL_ADDRESS =
  /^[^\s@<>,;:"()[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
/** An address, or "*@example.com" for anyone at that domain. */
const RECIPIENT_PATTERN =
  /^(?:\*|[^\s@<>,;:"()[\]\\]+)@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i;
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** "100MB" → bytes. The schema has already checked the format. */
export function parseSize(size: string): number {
  const match = SIZE_PATTERN.exec(size.trim());
  if (!match) throw new Error(`not a size: ${size}`);
  return Math.floor(Number(match[1]) * (SIZE_UNITS[match[2]!.toUpperCase()] ?? 1));
}

/**
 * A file-system path as the user writes it: absolute, or starting with "~/". A relative path
 * would be judged against whatever folder OmniPalm happened to start in — a different
 * boundary each time — so it is refused rather than guessed.
 */
const configuredPath = z
  .string({ error: 'expected a path' })
  // abort: one problem, one line — an empty path is not also "not absolute".
  .min(1, { error: 'expected a path, got an empty string', abort: true })
  .refine((value) => !/[\0\r\n]/.test(value), {
    error: 'a path may not contain NUL or newline characters',
    abort: true,
  })
  .refine((value) => value === '~' || value.startsWith('~/') || path.isAbsolute(value), {
    error: (issue) =>
      `expected an absolute path or one starting with ~/, got ${JSON.stringify(issue.input)}`,
  });

const limit = (what: string) =>
  z
    .number({ error: `expected a whole number of ${what}` })
    .int({ error: `expected a whole number of ${what}` })
    .min(0, { error: `expected 0 or more ${what} (0 turns them off)` });

const enabled = (byDefault: boolean, description: string) =>
  z.strictObject({ enabled: z.boolean().default(byDefault).describe(description) }).prefault({});

export const configSchema = z
  .strictObject({
    security: z
      .strictObject({
        allowed_paths: z
          .array(configuredPath, { error: 'expected a list of paths' })
          .default(['~/projects', '~/Documents', '/tmp/omnipalm'])
          .describe('Folders the agent may touch. Everything else is off limits.'),
        blocked_paths: z
          .array(configuredPath, { error: 'expected a list of paths' })
          .default(['~/.ssh', '~/.aws', '~/.gnupg', '~/.kube', '~/.docker', '~/.netrc'])
          .describe('Never touched, even inside an allowed path. Blocked beats allowed.'),
        require_confirmation: z
          .boolean()
          .default(true)
          .describe('Ask before the operations in confirm_operations.'),
        confirm_operations: z
          .array(z.enum(OPERATIONS), { error: 'expected a list of operation names' })
          .default(['delete', 'send_email', 'execute_shell', 'deploy'])
          .describe(`Operations that wait for your yes. One of: ${OPERATIONS.join(', ')}.`),
        read_only: z
          .boolean()
          .default(false)
          .describe('Deny every write, delete, deploy, email and non-GET request.'),
        log_all_actions: z.boolean().default(true).describe('Write every action to the audit log.'),
        rate_limits: z
          .strictObject({
            emails_per_hour: limit('emails').default(20).describe('Emails sent per hour.'),
            api_calls_per_minute: limit('API calls')
              .default(60)
              .describe('HTTP/Jira/Slack calls per minute.'),
            file_operations_per_minute: limit('file operations')
              .default(100)
              .describe('File reads, writes, lists and deletes per minute.'),
            shell_commands_per_minute: limit('shell commands')
              .default(30)
              .describe('Shell commands per minute.'),
            mcp_calls_per_minute: limit('MCP tool calls')
              .default(30)
              .describe('MCP tool calls per minute.'),
          })
          .prefault({}),
        stop_on_error_count: z
          .number({ error: 'expected a whole number of errors' })
          .int({ error: 'expected a whole number of errors' })
          .min(1, { error: 'expected 1 or more consecutive errors' })
          .default(3)
          .describe('Stop a task after this many consecutive errors.'),
        sandbox: z
          .enum(['auto', 'required', 'off'], {
            error: 'expected one of auto, required, off',
          })
          .default('auto')
          .describe(
            'Shell sessions run in an OS sandbox (bubblewrap / Seatbelt). auto: without one, warn and run unsandboxed; required: refuse.',
          ),
        untrusted_content_guard: z
          .boolean()
          .default(true)
          .describe(
            'Once a task read untrusted content (documents, email, web, Slack/Jira, command output), ask before anything that sends data out.',
          ),
        trusted_paths: z
          .array(configuredPath, { error: 'expected a list of paths' })
          .default([])
          .describe(
            'Files here are your own: reading them does not mark a task as having read untrusted content. Judged by real path (symlinks, ..). Everything else the agent reads is untrusted.',
          ),
        key_rotation_days: z
          .number({ error: 'expected a whole number of days' })
          .int({ error: 'expected a whole number of days' })
          .min(1, { error: 'expected 1 or more days' })
          .default(90)
          .describe('doctor warns about keys older than this.'),
        stop_on_cost_limit: z
          .number({ error: 'expected an amount in USD' })
          .min(0, { error: 'expected an amount of 0 or more USD' })
          .default(10)
          .describe('Stop a task when its model costs exceed this many USD.'),
      })
      .prefault({}),
    integrations: z
      .strictObject({
        filesystem: enabled(true, 'File system access (medium risk).'),
        terminal: enabled(true, 'Shell commands (high risk).'),
        network: z
          .strictObject({
            enabled: z
              .boolean()
              .default(true)
              .describe('Configured network integrations (medium risk).'),
            allowed_hosts: z
              .array(
                z.string({ error: 'expected a host name' }).regex(/^(\*\.)?[a-z0-9.-]+(:\d+)?$/i, {
                  error: 'expected a host name such as "api.example.com" or "*.example.com"',
                }),
                { error: 'expected a list of host names' },
              )
              .default([])
              .describe('Hosts http requests may reach (besides configured integrations).'),
          })
          .prefault({}),
        browser: z
          .strictObject({
            enabled: z.boolean().default(false).describe('Browser automation (high risk).'),
            executable_path: z
              .string()
              .min(1)
              .optional()
              .describe(
                "Chromium or Chrome to drive (default: Playwright's own, or the system's chromium).",
              ),
          })
          .prefault({}),
        jira: z
          .strictObject({
            enabled: z
              .boolean()
              .default(false)
              .describe('Jira through its REST API (medium risk).'),
            base_url: z
              .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
              .optional()
              .describe('Your Jira site, e.g. https://example.atlassian.net.'),
            user: z
              .string()
              .min(1)
              .optional()
              .describe(
                'Account email for Jira Cloud (basic auth); unset: jira_token is a bearer token.',
              ),
          })
          .superRefine((jira, context) => {
            if (jira.enabled && jira.base_url === undefined) {
              context.addIssue({
                code: 'custom',
                path: ['base_url'],
                message:
                  'required when Jira is enabled; set it with: omnipalm config set integrations.jira.base_url https://…',
              });
            }
          })
          .prefault({}),
        slack: z
          .strictObject({
            enabled: z
              .boolean()
              .default(false)
              .describe('Slack through its Web API (medium risk).'),
            base_url: z
              .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
              .default('https://slack.com/api')
              .describe('Slack Web API endpoint.'),
          })
          .prefault({}),
        email: z
          .strictObject({
            enabled: z
              .boolean()
              .default(false)
              .describe('Sending email through the SMTP server below (medium risk).'),
            smtp: z
              .strictObject({
                host: z
                  .string({ error: 'expected a host name such as "smtp.example.com"' })
                  .regex(/^[a-z0-9.:[\]-]+$/i, {
                    error: 'expected a host name such as "smtp.example.com"',
                  })
                  .optional()
                  .describe('SMTP server host name.'),
                port: z
                  .number({ error: 'expected a port number' })
                  .int({ error: 'expected a whole port number' })
                  .min(1, { error: 'expected a port from 1 to 65535' })
                  .max(65535, { error: 'expected a port from 1 to 65535' })
                  .default(587)
                  .describe('SMTP server port (587 for STARTTLS, 465 for TLS).'),
                secure: z
                  .boolean()
                  .default(false)
                  .describe('TLS from the first byte (port 465); false upgrades with STARTTLS.'),
                user: z
                  .string({ error: 'expected a user name' })
                  .min(1, { error: 'expected a user name, got an empty string' })
                  .optional()
                  .describe('SMTP login; its password is the secret smtp_password.'),
                from: z
                  .string({ error: 'expected an email address' })
                  .regex(EMAIL_ADDRESS, {
                    error: (issue) =>
                      `expected an email address such as "me@example.com", got ${JSON.stringify(issue.input)}`,
                  })
                  .optional()
                  .describe('Sender address of every email.'),
              })
              .prefault({}),
            allowed_recipients: z
              .array(
                z.string({ error: 'expected an email address' }).regex(RECIPIENT_PATTERN, {
                  error: (issue) =>
                    `expected an email address such as "alice@example.com" or a domain such as "*@example.com", got ${JSON.stringify(issue.input)}`,
                }),
                { error: 'expected a list of email addresses' },
              )
              .default([])
              .describe('Who email may go to: addresses or "*@domain"; empty means anyone.'),
          })
          .superRefine((email, context) => {
            if (!email.enabled) return;
            // Enabled without a server or sender would fail at the first send; say so now.
            for (const key of ['host', 'from'] as const) {
              if (email.smtp[key] !== undefined) continue;
              context.addIssue({
                code: 'custom',
                path: ['smtp', key],
                message: `required when email is enabled; set it with: omnipalm config set integrations.email.smtp.${key} …`,
              });
            }
          })
          .prefault({}),
        mcp: mcpSchema(configuredPath),
      })
      .prefault({}),
    agent: z
      .strictObject({
        max_iterations: z
          .number({ error: 'expected a whole number of steps' })
          .int({ error: 'expected a whole number of steps' })
          .min(1, { error: 'expected 1 or more steps' })
          .default(25)
          .describe('Most steps one task may take.'),
        timeout: z
          .number({ error: 'expected a number of seconds' })
          .positive({ error: 'expected more than 0 seconds' })
          .default(300)
          .describe('Seconds one task may run.'),
        confirmation_timeout: z
          .number({ error: 'expected a number of seconds' })
          .positive({ error: 'expected more than 0 seconds' })
          .default(120)
          .describe('Seconds a confirmation waits for your answer before it counts as a no.'),
      })
      .prefault({}),
    logging: z
      .strictObject({
        level: z.enum(LOG_LEVELS).default('INFO').describe('Least severe level written.'),
        file: configuredPath
          .optional()
          .describe('Audit log file. Default: $OMNIPALM_HOME/logs/audit.log.'),
        max_size: z
          .string({ error: 'expected a size such as "100MB"' })
          .regex(SIZE_PATTERN, { error: 'expected a size such as "100MB", "10KB" or "1GB"' })
          .default('100MB')
          .describe('Rotate the audit log at this size.'),
        max_files: z
          .number({ error: 'expected a whole number of files' })
          .int({ error: 'expected a whole number of files' })
          .min(1, { error: 'expected 1 or more files' })
          .default(10)
          .describe('Rotated audit log files kept.'),
        log_prompts: z.boolean().default(true).describe('Log user commands.'),
        log_responses: z.boolean().default(true).describe('Log agent responses.'),
        log_tool_calls: z.boolean().default(true).describe('Log all tool invocations.'),
        log_api_calls: z
          .boolean()
          .default(false)
          .describe('Log raw API calls (may contain secrets).'),
      })
      .prefault({}),
    monitoring: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Raise alerts for suspicious activity.'),
        failed_operations_threshold: z
          .number({ error: 'expected a whole number of failures' })
          .int({ error: 'expected a whole number of failures' })
          .min(1, { error: 'expected 1 or more failures' })
          .default(5)
          .describe('Alert when this many operations fail within the window.'),
        failed_operations_window_seconds: z
          .number({ error: 'expected a number of seconds' })
          .positive({ error: 'expected more than 0 seconds' })
          .default(300)
          .describe('Window for failed_operations_threshold.'),
        alert_on_blocked_path: z
          .boolean()
          .default(true)
          .describe('Alert on every attempt to reach a blocked path.'),
        api_burst_factor: z
          .number({ error: 'expected a number' })
          .min(1, { error: 'expected 1 or more' })
          .default(5)
          .describe(
            'Alert when API calls in the last minute exceed this many times the recent rate.',
          ),
        api_burst_min_calls: z
          .number({ error: 'expected a whole number of calls' })
          .int({ error: 'expected a whole number of calls' })
          .min(1, { error: 'expected 1 or more calls' })
          .default(20)
          .describe('Fewest calls in a minute that can count as a burst.'),
        sensitive_keywords: z
          .array(z.string().min(1), { error: 'expected a list of keywords' })
          .default([
            'password',
            'passwd',
            'secret',
            'token',
            'api_key',
            'apikey',
            'private key',
            'id_rsa',
            'id_ed25519',
            '/etc/shadow',
            '.aws/credentials',
            'curl | sh',
            'curl | bash',
            'wget | sh',
            'base64 -d',
          ])
          .describe('Commands containing one of these (case-insensitive) raise an alert.'),
      })
      .prefault({}),
    secrets: z
      .partialRecord(
        z.enum(SECRET_NAMES),
        z.strictObject({
          command: z
            .array(z.string().min(1), {
              error: 'expected an argv list such as ["pass", "show", "omnipalm/llm"]',
            })
            .min(1, { error: 'expected at least the program to run' }),
          timeout_seconds: z
            .number({ error: 'expected a number of seconds' })
            .positive({ error: 'expected more than 0 seconds' })
            .default(10),
        }),
        { error: 'expected a map of secret name to { command: [...] }' },
      )
      .default({})
      .describe(
        'Per secret: a command (argv, no shell) that prints it, tried after env and keychain.',
      ),
    llm: z
      .strictObject({
        provider: z.enum(LLM_PROVIDERS).default('anthropic').describe('Model provider.'),
        model: z.string().min(1).default('claude-sonnet-4-6').describe('Model name.'),
        prices: z
          .record(
            z.string().min(1),
            z.strictObject({
              input_per_million: z.number().min(0, { error: 'expected USD of 0 or more' }),
              output_per_million: z.number().min(0, { error: 'expected USD of 0 or more' }),
              cache_write_per_million: z.number().min(0).optional(),
              cache_read_per_million: z.number().min(0).optional(),
            }),
            { error: 'expected a map of model name to prices' },
          )
          .default({})
          .describe(
            'USD per million tokens by model, over the built-in table (0 for local models).',
          ),
        base_url: z
          .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
          .optional()
          .describe('API endpoint (e.g. a local model server).'),
        context_window: z
          .number({ error: 'expected a number of tokens' })
          .int({ error: 'expected a whole number of tokens' })
          .min(4096, { error: 'expected at least 4096 tokens' })
          .max(10_000_000, { error: 'expected at most 10000000 tokens' })
          .optional()
          .describe(
            "The model's context window in tokens, over the built-in table (older turns are shortened to fit).",
          ),
      })
      .prefault({}),
    ui: z
      .strictObject({
        hotkey: z
          .string({ error: 'expected a key combination such as "CommandOrControl+Shift+Space"' })
          .superRefine((accelerator, context) => {
            const problem = acceleratorProblem(accelerator);
            if (problem) context.addIssue({ code: 'custom', message: problem });
          })
          .default('CommandOrControl+Shift+Space')
          .describe("Global hotkey of the desktop app's quick prompt (Electron accelerator)."),
        quick_prompt_session: z
          .enum(['new', 'last'], { error: 'expected new or last' })
          .default('new')
          .describe(
            "Where the tray's quick prompt goes: a new session, or the last one (its untrusted-content state included).",
          ),
      })
      .prefault({}),
  })
  .describe('OmniPalm configuration');

export type OmniPalmConfig = z.output<typeof configSchema>;
