// The one typed contract between main and renderer (DESIGN.md §1). It imports zod only, so
// main, preload, renderer, the headless server and tests can all share it.
//
// Two tables: `contract` holds the calls (renderer → main, request and response) and `events`
// the pushes (main → renderer, one payload). Adding either is one entry here plus its handler
// or emitter in main: the preload's methods, the renderer's types and the validation on both
// sides are all derived from these tables.
import { z } from 'zod';

interface ChannelDefinition {
  request: z.ZodType;
  response: z.ZodType;
}

/** A random id the hub gives each terminal session; nothing else is accepted as one. */
const terminalSessionId = z.uuid();

/** Most bytes (UTF-8) of one terminal.input: far more than a burst of keystrokes or a paste. */
export const MAX_TERMINAL_INPUT_BYTES = 64 * 1024;

/** The agent's task ids, request ids: random UUIDs, nothing else is accepted as one. */
const randomId = z.uuid();

/** Most characters of one prompt: a long instruction, not a document pasted whole. */
export const MAX_PROMPT_LENGTH = 10_000;
/** A prompt: some words, at most MAX_PROMPT_LENGTH characters. */
const promptText = z
  .string()
  .max(MAX_PROMPT_LENGTH)
  .refine((text) => text.trim().length > 0, { message: 'say what to do' });
/** Most timeline events one page may ask for. */
export const MAX_TIMELINE_PAGE = 500;

// Copies of lists that live in main (the contract imports zod only); a unit test keeps each
// equal to its source: OPERATIONS (config/schema.ts), AUDIT_KINDS and AUDIT_LEVELS
// (audit/auditEvent.ts), StopLimit (policy/runBudget.ts), SECRET_NAMES (config/schema.ts),
// TURN_STATUS_NAMES (store/sessionStore.ts), MCP_SERVER_NAME_PATTERN and MCP_TOOL_RULE_NAMES
// (config/mcpSchema.ts).
export const OPERATION_NAMES = [
  'read',
  'write',
  'delete',
  'list',
  'execute_shell',
  'send_email',
  'http_request',
  'browser',
  'deploy',
  'mcp_call',
] as const;
export const TIMELINE_KINDS = [
  'user_command',
  'tool_call',
  'tool_result',
  'agent_response',
  'policy',
  'confirmation',
  'alert',
  'error',
  'config',
  'api_call',
] as const;
export const TIMELINE_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export const STOP_LIMITS = [
  'max_iterations',
  'timeout',
  'stop_on_error_count',
  'stop_on_cost_limit',
  'aborted',
] as const;

/** A confirmation as the UI shows it: the broker's request without its internal fingerprint. */
const confirmationRequest = z.object({
  id: z.string(),
  taskId: z.string(),
  operation: z.enum(OPERATION_NAMES),
  /** One sentence, e.g. "This will delete 47 files. Proceed?" */
  summary: z.string(),
  /** A few preview lines. */
  preview: z.array(z.string()),
  /** Everything, for a "List" button. */
  fullPreview: z.array(z.string()).optional(),
  risk: z.enum(['low', 'medium', 'high']),
  /** Why the policy asks. */
  reason: z.string(),
  /** Epoch milliseconds after which the request is denied. */
  expiresAt: z.number(),
});

/** One filter list of timeline.page: bounded, as the store bounds it (timelineQuery.ts). */
const filterList = <T extends z.ZodType>(item: T) => z.array(item).max(100).optional();

const timelineEvent = z.object({
  /** Increases with every event: the paging cursor. */
  id: z.number().int(),
  /** Epoch milliseconds. */
  time: z.number(),
  kind: z.enum(TIMELINE_KINDS),
  level: z.enum(TIMELINE_LEVELS),
  summary: z.string(),
  taskId: z.string().optional(),
  /** The session whose turn recorded it. */
  sessionId: z.string().optional(),
  tool: z.string().optional(),
  operation: z.string().optional(),
  decision: z.enum(['allow', 'ask', 'deny']).optional(),
  status: z.string().optional(),
  costUsd: z.number().optional(),
  /** Structured detail kept beside the line (a tool call's whole input, bounded), redacted. */
  detail: z.unknown().optional(),
});

/** A session's id: 32 lowercase hex characters (sessionStore.ts); nothing else is accepted. */
const sessionId = z
  .string()
  .regex(/^[0-9a-f]{32}$/, { error: 'expected a session id (32 hex characters)' });
/** Most characters of a session title (sessionStore.ts MAX_TITLE_LENGTH). */
export const MAX_SESSION_TITLE_LENGTH = 200;
/** How a turn stands; 'interrupted': a crash or quit cut it off (the session can go on). */
export const TURN_STATUS_NAMES = [
  'running',
  'done',
  'denied',
  'stopped',
  'error',
  'interrupted',
] as const;

/** A session as the sidebar lists it. */
const sessionSummary = z.object({
  id: z.string(),
  title: z.string(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
  updatedAt: z.number(),
  /** What the session's turns cost so far; security.stop_on_cost_limit bounds it. */
  costUsd: z.number(),
  /**
   * Where untrusted content entered the session (e.g. "fs.read /home/u/inbox.txt"): while this
   * is not empty every turn asks before anything that can carry data out. New session to clear.
   */
  untrustedSources: z.array(z.string()),
});

/** One step of a turn as the transcript shows it. */
const turnStep = z.object({
  kind: z.enum(['tool', 'confirmation']),
  /** The tool (fs.read, shell.exec…). */
  name: z.string(),
  /** One line: the call's summary, or the confirmation's question. */
  summary: z.string(),
  /** tool: ok, error, denied (or absent while running); confirmation: the answer. */
  status: z.string().optional(),
  /** Epoch milliseconds the step started. */
  time: z.number().optional(),
  /** Milliseconds the tool ran, when it ended. */
  durationMs: z.number().optional(),
});

/** One turn: the prompt, what the agent did, and its answer (markdown). */
const sessionTurn = z.object({
  seq: z.number().int(),
  prompt: z.string(),
  status: z.enum(TURN_STATUS_NAMES),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  costUsd: z.number(),
  /** The task the turn ran as: its events in timeline.page({ taskId }). */
  taskId: z.string().optional(),
  steps: z.array(turnStep),
  /** The agent's last answer of the turn, markdown as the model wrote it (already redacted). */
  answer: z.string(),
});

/** Most characters of a config key (`security.rate_limits.emails_per_hour`). */
export const MAX_CONFIG_KEY_LENGTH = 200;
/** Most characters of one config value as JSON: a long allowed_paths list, not a file. */
export const MAX_CONFIG_VALUE_LENGTH = 64 * 1024;
/** Shortest and longest key secrets.store accepts: no real API key is shorter or longer. */
export const MIN_SECRET_LENGTH = 8;
export const MAX_SECRET_LENGTH = 10_000;
/** The widest window usage.summary looks back over, in hours (30 days). */
export const MAX_USAGE_HOURS = 720;
export const SECRET_KEY_NAMES = [
  'llm_api_key',
  'jira_token',
  'slack_token',
  'smtp_password',
] as const;

/** Done, or why not in words the user can act on (a refusal that is not a bad request). */
const outcome = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

/**
 * The key of secrets.store. Every message is our own: a refused key must never be echoed in
 * the error (zod's defaults do not quote the input today; these keep it so if that changes).
 */
const secretValue = z
  .string({ error: 'the key must be text' })
  .min(MIN_SECRET_LENGTH, { error: `the key must be at least ${MIN_SECRET_LENGTH} characters` })
  .max(MAX_SECRET_LENGTH, { error: `the key must be at most ${MAX_SECRET_LENGTH} characters` });

/** An MCP server's name (copy of config/mcpSchema.ts MCP_SERVER_NAME). */
export const MCP_SERVER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** Only a valid name is accepted: it ends up in file keys and `mcp_<server>_<tool>` names. */
const mcpServerName = z
  .string({ error: 'expected an MCP server name' })
  .regex(MCP_SERVER_NAME_PATTERN, {
    error:
      'expected an MCP server name (lowercase letters, digits and -, at most 32, e.g. "github")',
  });
export const MCP_TOOL_RULE_NAMES = ['allow', 'ask', 'deny'] as const;
const mcpToolRule = z.enum(MCP_TOOL_RULE_NAMES);

/** A configured MCP server as the permissions view lists it (tools/mcp/mcpHub.ts McpServerView). */
const mcpServerView = z.object({
  name: z.string(),
  /** integrations.mcp.enabled and the server's own enabled. */
  enabled: z.boolean(),
  kind: z.enum(['stdio', 'http']),
  /** The command line, or the url. */
  target: z.string(),
  /** Hosts it may reach on the network. */
  hosts: z.array(z.string()),
  /** The config's rule per tool (a tool not listed: ask). */
  rules: z.record(z.string(), mcpToolRule),
  readOnlyTools: z.array(z.string()),
  resources: z.boolean(),
  prompts: z.boolean(),
  state: z.enum(['idle', 'starting', 'running', 'closed']),
  restarts: z.number().int(),
  lastError: z.string().optional(),
  sandboxed: z.boolean(),
  /** Why it would run unsandboxed (security.sandbox: off). */
  warning: z.string().optional(),
  /** The tools the user approved (pinned). */
  approvedTools: z.array(z.string()),
  /** never_reviewed: nothing pinned; changed: the server's tools differ from what was approved. */
  approval: z.enum(['never_reviewed', 'approved', 'changed']),
  /** What changed, e.g. "changed echo; added wipe" (when approval is changed). */
  changes: z.string().optional(),
});

/** A description as review shows it: hidden parts made visible as ⟦…⟧, each kind flagged. */
const reviewedText = z.object({ text: z.string(), flags: z.array(z.string()) });

/** One tool of a server's listing, beside what was approved. */
const mcpToolReview = z.object({
  name: z.string(),
  /** mcp_<server>_<tool> as the model sees it; absent when it cannot be offered. */
  modelName: z.string().optional(),
  /** Why it cannot be offered (name too long, clashes). */
  offerProblem: z.string().optional(),
  status: z.enum(['approved', 'new', 'changed', 'removed', 'duplicated']),
  description: reviewedText,
  /** For changed and removed tools: what was approved. */
  previousDescription: reviewedText.optional(),
  inputSchema: z.unknown(),
  /** Hidden or model-addressed text in the input schema (its property descriptions…). */
  inputSchemaFlags: z.array(z.string()).optional(),
  previousInputSchema: z.unknown().optional(),
  /** The server's own hints (readOnlyHint…): shown as its claims, never trusted. */
  annotations: z.record(z.string(), z.unknown()).optional(),
  /** The effective rule (a tool not listed: ask). */
  rule: mcpToolRule,
  /** The user marked it read-only (read_only_tools). */
  readOnly: z.boolean(),
});

/** A server's tools as listed now, and the fingerprint that approving exactly them needs. */
const mcpReview = z.object({
  server: mcpServerView,
  tools: z.array(mcpToolReview),
  /** Pass to mcp.approve: only the listing shown is approved, never one that changed since. */
  listing: z.string(),
  /** Something waits for approval (new, changed or removed tools). */
  pending: z.boolean(),
});

export const contract = {
  'app.getStatus': {
    request: z.strictObject({}),
    // Not strict: parsing strips fields a handler adds by mistake instead of passing them
    // on, so nothing leaves main that the contract does not name.
    response: z.object({
      version: z.string(),
      mode: z.enum(['electron', 'headless']),
      platform: z.string(),
    }),
  },
  /** The agent's open shell sessions, one per running task. */
  'terminal.list': {
    request: z.strictObject({}),
    response: z.object({
      sessions: z.array(
        z.object({
          sessionId: z.string(),
          taskId: z.string(),
          cwd: z.string(),
          sandboxed: z.boolean(),
          cols: z.number().int(),
          rows: z.number().int(),
        }),
      ),
    }),
  },
  /** The view's size changed: the session's pseudo-terminal follows it. */
  'terminal.resize': {
    request: z.strictObject({
      sessionId: terminalSessionId,
      // Bounded so a page cannot ask the kernel for a terminal of absurd size.
      cols: z.number().int().min(10).max(1000),
      rows: z.number().int().min(2).max(500),
    }),
    response: z.object({ ok: z.boolean() }),
  },
  /** What the user typed into the view: the user's own input, audited as a user_command. */
  'terminal.input': {
    request: z.strictObject({
      sessionId: terminalSessionId,
      data: z
        .string()
        .max(MAX_TERMINAL_INPUT_BYTES)
        .refine((text) => new TextEncoder().encode(text).length <= MAX_TERMINAL_INPUT_BYTES, {
          message: `at most ${MAX_TERMINAL_INPUT_BYTES} bytes of input at a time`,
        }),
    }),
    response: z.object({ accepted: z.boolean(), reason: z.string().optional() }),
  },
  /** Starts a task in the background; its progress arrives as task.* events. */
  'task.start': {
    request: z.strictObject({
      prompt: promptText,
      /** The task's working folder; must be inside security.allowed_paths. */
      cwd: z.string().min(1).max(4096).optional(),
    }),
    /** A task.start begins a new session; session.continue adds a turn to one. */
    response: z.object({ taskId: z.string(), sessionId: z.string() }),
  },
  /** The user's Stop: aborts the model request and the running tool. */
  'task.stop': {
    request: z.strictObject({ taskId: randomId }),
    response: z.object({ stopped: z.boolean() }),
  },
  /** The tasks running now (named `running`: `list` is terminal.list's bridge method). */
  'task.running': {
    request: z.strictObject({}),
    response: z.object({
      tasks: z.array(z.object({ taskId: z.string(), prompt: z.string(), startedAt: z.number() })),
    }),
  },
  /** The confirmations waiting for the user's answer, oldest first. */
  'confirmation.pending': {
    request: z.strictObject({}),
    response: z.object({ requests: z.array(confirmationRequest) }),
  },
  /** The user's answer; accepted false when the request is no longer waiting. */
  'confirmation.answer': {
    request: z.strictObject({
      id: randomId,
      answer: z.enum(['yes', 'no', 'allow_for_task']),
    }),
    response: z.object({ accepted: z.boolean() }),
  },
  /** One page of the activity timeline, newest first; pass nextCursor as `before` for more. */
  'timeline.page': {
    request: z.strictObject({
      before: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(MAX_TIMELINE_PAGE).optional(),
      kinds: filterList(z.enum(TIMELINE_KINDS)),
      tools: filterList(z.string().max(200)),
      statuses: filterList(z.string().max(200)),
      decisions: filterList(z.enum(['allow', 'ask', 'deny'])),
      /** Substring of the summary, case-insensitive. */
      text: z.string().max(1000).optional(),
      taskId: z.string().max(200).optional(),
      /** Only the events of this session's turns. */
      sessionId: z.string().max(200).optional(),
    }),
    response: z.object({
      events: z.array(timelineEvent),
      nextCursor: z.number().int().optional(),
    }),
  },
  /** Sessions, most recently active first; `text` matches titles and prompts (any case). */
  'session.recent': {
    request: z.strictObject({
      limit: z.number().int().min(1).max(200).optional(),
      /** The nextCursor of the previous page. */
      cursor: z.string().max(200).optional(),
      text: z.string().max(1000).optional(),
    }),
    response: z.object({ sessions: z.array(sessionSummary), nextCursor: z.string().optional() }),
  },
  /** A session and one page of its turns, oldest first; nextBeforeSeq pages to older turns. */
  'session.turns': {
    request: z.strictObject({
      sessionId,
      beforeSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(200).optional(),
    }),
    response: z.object({
      session: sessionSummary.extend({
        turnCount: z.number().int(),
        /** A turn of this session is running now. */
        running: z.boolean(),
      }),
      turns: z.array(sessionTurn),
      nextBeforeSeq: z.number().int().optional(),
    }),
  },
  /** Renames a session (one line, 1–200 characters). */
  'session.rename': {
    request: z.strictObject({
      sessionId,
      title: z.string().min(1).max(MAX_SESSION_TITLE_LENGTH),
    }),
    response: sessionSummary,
  },
  /** Deletes a session's stored turns and messages; the audit log (append-only) keeps its lines. */
  'session.delete': {
    request: z.strictObject({ sessionId }),
    response: z.object({ deleted: z.literal(true), note: z.string() }),
  },
  /** A follow-up prompt: a new turn of the session, with the earlier turns as context. */
  'session.continue': {
    request: z.strictObject({
      sessionId,
      prompt: promptText,
      cwd: z.string().min(1).max(4096).optional(),
    }),
    response: z.object({ taskId: z.string(), sessionId: z.string() }),
  },
  /** The configuration in config.yaml (its values over the defaults), for the settings view. */
  'config.get': {
    request: z.strictObject({}),
    response: z.object({
      /** The effective configuration as JSON (config.yaml holds no keys: they are refused). */
      config: z.record(z.string(), z.unknown()),
      file: z.string(),
      exists: z.boolean(),
      /** True when the file differs from what the running agent loaded: restart to apply. */
      restartNeeded: z.boolean(),
    }),
  },
  /** Sets one key like `omnipalm config set`: validated whole, saved keeping comments, audited. */
  'config.set': {
    request: z.strictObject({
      key: z.string().min(1).max(MAX_CONFIG_KEY_LENGTH),
      value: z.json().refine((value) => JSON.stringify(value).length <= MAX_CONFIG_VALUE_LENGTH, {
        error: `at most ${MAX_CONFIG_VALUE_LENGTH} characters of JSON`,
      }),
    }),
    response: z.union([
      z.object({
        ok: z.literal(true),
        /** The saved value, as the config now reads it. */
        value: z.unknown(),
        /** The running agent keeps the config it started with: true when this change waits for a restart. */
        restartNeeded: z.boolean(),
      }),
      z.object({ ok: z.literal(false), error: z.string() }),
    ]),
  },
  /** Where each key comes from and when it was set — never a key's value. */
  'secrets.describe': {
    request: z.strictObject({}),
    response: z.object({
      secrets: z.array(
        z.object({
          name: z.enum(SECRET_KEY_NAMES),
          source: z.enum(['env', 'keychain', 'command', 'missing']),
          /** The keychain holds it (the environment may still take precedence). */
          inKeychain: z.boolean(),
          /** ISO time it was last set through OmniPalm. */
          lastSet: z.string().optional(),
          ageDays: z.number().int().optional(),
        }),
      ),
      keychain: z.object({ available: z.boolean(), reason: z.string().optional() }),
    }),
  },
  /** Saves a key in the OS keychain (never a file); the value is never echoed or logged. */
  'secrets.store': {
    request: z.strictObject({ name: z.enum(SECRET_KEY_NAMES), value: secretValue }),
    response: outcome,
  },
  /** Deletes a key from the OS keychain; removed is false when it held none. */
  'secrets.remove': {
    request: z.strictObject({ name: z.enum(SECRET_KEY_NAMES) }),
    response: z.object({ removed: z.boolean(), error: z.string().optional() }),
  },
  /** Checks the audit log's hash chain, like `omnipalm audit verify`. */
  'audit.verify': {
    request: z.strictObject({}),
    response: z.object({
      ok: z.boolean(),
      lines: z.number().int(),
      files: z.number().int(),
      lastSeq: z.number().int(),
      /** The first break: altered, deleted, duplicated or reordered line, missing file. */
      firstBad: z
        .object({ file: z.string(), line: z.number().int(), reason: z.string() })
        .optional(),
      /** Not tampering: a crash-cut line, history rotated away, no log yet. */
      warnings: z.array(z.object({ file: z.string(), line: z.number().int(), reason: z.string() })),
    }),
  },
  /** Tool calls per hour and cost per task over the last `hours`, from the timeline. */
  'usage.summary': {
    request: z.strictObject({
      hours: z.number().int().min(1).max(MAX_USAGE_HOURS).optional(),
    }),
    response: z.object({
      /** One entry per hour of the window, oldest first, zeros included; hour is epoch ms. */
      actionsPerHour: z.array(z.object({ hour: z.number(), count: z.number().int() })),
      /** Tasks with a recorded cost, by when they were last active, oldest first. */
      costPerTask: z.array(
        z.object({ taskId: z.string(), costUsd: z.number(), endedAt: z.number() }),
      ),
      /** True when the window held more events than one summary reads: the oldest are left out. */
      truncated: z.boolean(),
    }),
  },
  /** The configured MCP servers with their state and approval; starts none of them. */
  'mcp.servers': {
    request: z.strictObject({}),
    response: z.object({ servers: z.array(mcpServerView) }),
  },
  /** Starts the server (sandboxed) and lists its tools beside what was approved. */
  'mcp.review': {
    request: z.strictObject({ name: mcpServerName }),
    response: mcpReview,
  },
  /** Approves (pins) the server's tools: refused if they differ from the listing reviewed. */
  'mcp.approve': {
    request: z.strictObject({
      name: mcpServerName,
      listing: z
        .string({ error: 'expected the listing fingerprint mcp.review answered' })
        .min(1, { error: 'expected the listing fingerprint mcp.review answered' })
        .max(200),
    }),
    response: mcpReview,
  },
} as const satisfies Record<string, ChannelDefinition>;

/**
 * Pushes from main to the renderer. Not strict: parsing strips fields an emitter adds by
 * mistake, so nothing reaches the page that the contract does not name.
 */
export const events = {
  /** A terminal session opened (a task started its shell session). */
  'terminal.opened': z.object({
    sessionId: z.string(),
    taskId: z.string(),
    cwd: z.string(),
    sandboxed: z.boolean(),
  }),
  /** Output of the session's pseudo-terminal, batched (~16 ms or 200 KB), as written. */
  'terminal.data': z.object({ sessionId: z.string(), data: z.string() }),
  /** The session ended; exitCode is null when it was closed rather than exiting by itself. */
  'terminal.exit': z.object({ sessionId: z.string(), exitCode: z.number().int().nullable() }),
  /** A task started (by task.start or session.continue): one turn of the session. */
  'task.started': z.object({
    taskId: z.string(),
    prompt: z.string(),
    sessionId: z.string().optional(),
  }),
  /** Streamed text of the agent's answer, as it arrives. */
  'task.text': z.object({ taskId: z.string(), text: z.string() }),
  /** A tool call started or ended; `id` pairs the two. */
  'task.tool': z.object({
    taskId: z.string(),
    id: z.string(),
    phase: z.enum(['start', 'end']),
    tool: z.string(),
    summary: z.string().optional(),
    status: z.enum(['ok', 'error', 'denied']).optional(),
    text: z.string().optional(),
  }),
  /** The task ended: 'denied' means an action it asked for was refused. */
  'task.ended': z.object({
    taskId: z.string(),
    status: z.enum(['done', 'denied', 'stopped', 'error']),
    text: z.string(),
    stopReason: z.object({ limit: z.enum(STOP_LIMITS), message: z.string() }).optional(),
    error: z.string().optional(),
    refused: z.array(
      z.object({
        tool: z.string(),
        by: z.enum(['policy', 'user', 'unanswered']),
        reason: z.string(),
      }),
    ),
    costUsd: z.number(),
    iterations: z.number().int(),
    sessionId: z.string().optional(),
    /** The session's cost so far, this turn included. */
    sessionCostUsd: z.number().optional(),
  }),
  /** A session was created or changed: a turn started or ended, renamed, untrusted content read. */
  'session.updated': sessionSummary,
  /** A session was deleted (its stored turns are gone; the audit log keeps its lines). */
  'session.deleted': z.object({ sessionId: z.string() }),
  /** An action waits for the user's yes (answer with confirmation.answer). */
  'confirmation.requested': z.object({ request: confirmationRequest }),
  /**
   * A request stopped waiting: answered here, timed out, or 'closed' (answered by another front
   * door, or its task stopped). approved is null when it was decided elsewhere.
   */
  'confirmation.settled': z.object({
    id: z.string(),
    answer: z.enum(['yes', 'no', 'allow_for_task', 'timeout', 'closed']),
    approved: z.boolean().nullable(),
  }),
  /** An event was recorded in the audit trail (the live timeline). */
  'timeline.event': z.object({
    kind: z.enum(TIMELINE_KINDS),
    level: z.enum(TIMELINE_LEVELS),
    summary: z.string(),
    taskId: z.string().optional(),
    sessionId: z.string().optional(),
    tool: z.string().optional(),
    status: z.string().optional(),
    /** Epoch milliseconds. */
    time: z.number(),
    /** As timeline.page's detail. */
    detail: z.unknown().optional(),
  }),
  /** The monitor raised an alert (monitoring.* in config.yaml). */
  'monitor.alert': z.object({
    rule: z.enum(['failed_operations', 'blocked_path', 'api_burst', 'sensitive_keyword']),
    message: z.string(),
  }),
} as const satisfies Record<string, z.ZodType>;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export type RequestOf<C extends ChannelName> = z.infer<Contract[C]['request']>;
export type ResponseOf<C extends ChannelName> = z.infer<Contract[C]['response']>;

export type ContractEvents = typeof events;
export type EventName = keyof ContractEvents;
export type EventPayloadOf<E extends EventName> = z.infer<ContractEvents[E]>;

export const channelNames = Object.keys(contract) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

/** The bridge method for a channel is its last dotted segment: 'app.getStatus' → 'getStatus'. */
export type MethodNameOf<C extends string> = C extends `${string}.${infer Rest}`
  ? MethodNameOf<Rest>
  : C;

export function methodNameOf<C extends ChannelName>(channel: C): MethodNameOf<C> {
  return channel.slice(channel.lastIndexOf('.') + 1) as MethodNameOf<C>;
}

type PascalSegments<E extends string> = E extends `${infer Head}.${infer Rest}`
  ? `${Capitalize<Head>}${PascalSegments<Rest>}`
  : Capitalize<E>;

/**
 * The bridge method that subscribes to an event is `on` + every dotted segment capitalized:
 * 'terminal.data' → 'onTerminalData'. The whole name, not the last segment: 'terminal.exit'
 * and a later 'task.exit' must not share one method.
 */
export type SubscriptionNameOf<E extends string> = `on${PascalSegments<E>}`;

export function subscriptionNameOf<E extends EventName>(event: E): SubscriptionNameOf<E> {
  const segments = event.split('.').map((part) => part.charAt(0).toUpperCase() + part.slice(1));
  return `on${segments.join('')}` as SubscriptionNameOf<E>;
}

type BridgeMethod<C extends ChannelName> =
  // Channels that take no arguments can be called as `getStatus()`.
  Record<never, never> extends RequestOf<C>
    ? (request?: RequestOf<C>) => Promise<ResponseOf<C>>
    : (request: RequestOf<C>) => Promise<ResponseOf<C>>;

/** Subscribes to one event; returns the function that unsubscribes. */
export type BridgeSubscription<E extends EventName> = (
  listener: (payload: EventPayloadOf<E>) => void,
) => () => void;

/**
 * What the renderer sees as `window.omnipalm`: one async method per channel and one
 * subscription method per event — never a generic invoke/on taking a channel name.
 */
export type OmniPalmBridge = {
  readonly [C in ChannelName as MethodNameOf<C>]: BridgeMethod<C>;
} & {
  readonly [E in EventName as SubscriptionNameOf<E>]: BridgeSubscription<E>;
};

/** What main (and later the headless server) must implement: one handler per channel. */
export type ContractHandlers = {
  readonly [C in ChannelName]: (request: RequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>>;
};

/** What main uses to push an event: typed by the event's payload. */
export type EventEmitter = <E extends EventName>(event: E, payload: EventPayloadOf<E>) => void;

// Two entries with the same bridge member ('config.get' and 'secrets.get', or an event
// 'x.data' and a channel 'y.onXData') would silently share one method; this fails to compile
// and names the colliding entries instead. Calls and events are tagged so that a channel and
// an event of the same name are still two members.
type BridgeEntry<Calls extends string, Events extends string> = `call:${Calls}` | `event:${Events}`;
type BridgeMemberOf<K extends string> = K extends `call:${infer C}`
  ? MethodNameOf<C>
  : K extends `event:${infer E}`
    ? SubscriptionNameOf<E>
    : never;
/** The entries whose bridge member another entry also claims (never when all are unique). */
export type CollidingBridgeEntries<Calls extends string, Events extends string> = {
  [K in BridgeEntry<Calls, Events>]: BridgeMemberOf<K> extends BridgeMemberOf<
    Exclude<BridgeEntry<Calls, Events>, K>
  >
    ? K
    : never;
}[BridgeEntry<Calls, Events>];
type AssertNever<T extends never> = T;
export type BridgeMembersAreUnique = AssertNever<CollidingBridgeEntries<ChannelName, EventName>>;
