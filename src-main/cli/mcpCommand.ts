// `omnipalm mcp list|tools|approve|call`: the MCP servers of integrations.mcp, from the
// terminal. Everything goes through the AgentCore's hub, so the terminal sees and does exactly
// what the agent would: the same pinned tool lists, and a call judged by the same policy,
// confirmed through the same broker, written to the same audit log.
//
// Everything a server says (tool names, descriptions, schemas, annotations, results, its
// stderr) is a third party's text: it is printed through safeTerminalText so it cannot act on
// the terminal, and descriptions as reviewed (hidden parts made visible, each kind flagged), so
// what the user approves is what the model will read.
import readline from 'node:readline';
import { AgentCore, type McpCallOutcome } from '../agent/core.js';
import { MCP_SERVER_NAME } from '../config/mcpSchema.js';
import { reviewText } from '../tools/mcp/descriptionReview.js';
import { McpConnectionError } from '../tools/mcp/mcpErrors.js';
import {
  McpHubError,
  type McpReview,
  type McpServerView,
  type McpToolReview,
} from '../tools/mcp/mcpHub.js';
import { CliFrontDoor } from './cliFrontDoor.js';
import {
  assertNotRoot,
  type CliIO,
  EXIT_FAILED,
  EXIT_OK,
  parseCommandArgs,
  UsageError,
} from './cliSupport.js';
import { safeTerminalText } from './terminalMarkdown.js';

export const MCP_HELP = `Usage: omnipalm mcp <list|tools|approve|call> [options]

The MCP servers configured under integrations.mcp.servers in config.yaml. A server's tools
are usable only as you approved them: a tool that appears, changes or disappears later waits
for your review again. Descriptions are shown with hidden text made visible (⟦…⟧) and each
kind flagged (⚠); a server's annotations (readOnlyHint…) are its own claims, shown and never
trusted.

  mcp list [--json]                            each server: kind, target, state, approval, sandbox
  mcp tools NAME [--json]                      starts NAME and reviews the tools it lists
  mcp approve NAME [--yes]                     reviews, then pins what was shown (asks y/N)
  mcp call NAME TOOL [--args JSON] [--json]    one call through the policy, as the agent makes it

A call is judged like the agent's: the tool's rule (allow | ask | deny, unlisted: ask), the
rate limit, read-only mode; an ask is asked here ([Y]es / [N]o), and without a terminal it is
denied. Every call is in the audit log as mcp.<server>.<tool>.

Options:
  --json          print the answer as JSON on stdout
  --yes           approve without asking (scripts; review with mcp tools first)
  --args JSON     the tool's arguments as one JSON object (default {})
  --allow-root    run as root anyway (or OMNIPALM_ALLOW_ROOT=1); tools, approve and call
                  start the server, so they refuse root otherwise

Examples:
  omnipalm config set integrations.mcp.enabled true
  omnipalm config set integrations.mcp.servers '{"memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}}'
  omnipalm mcp tools memory
  omnipalm mcp approve memory
  omnipalm mcp call memory read_graph
  omnipalm mcp call memory search_nodes --args '{"query": "Alice"}' --json

Exit codes: 0 done   1 denied, a tool error or a server that failed   2 bad usage`;

const HOW_TO_ENABLE = 'turn it on with: omnipalm config set integrations.mcp.enabled true';

const HOW_TO_ADD =
  'add one in config.yaml under integrations.mcp.servers, or with: omnipalm config set integrations.mcp.servers \'{"memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}}\'';

/** What approve asks on and call's front door talks to. */
export interface McpStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A server name as typed, refused with the fix before anything is opened or started. */
function checkServerName(command: string, name: string | undefined): string {
  if (name === undefined || name === '') {
    throw new UsageError(`${command}: which server? (see omnipalm mcp list for the names)`);
  }
  if (!MCP_SERVER_NAME.test(name)) {
    throw new UsageError(
      `${command}: ${JSON.stringify(safeTerminalText(name))} is not an MCP server name (lowercase letters, digits and -, at most 32); see omnipalm mcp list for the names`,
    );
  }
  return name;
}

/** A server this config does not have: exit 2, naming the ones it has. */
function checkServerConfigured(core: AgentCore, command: string, name: string): void {
  const servers = Object.keys(core.config.integrations.mcp.servers);
  if (servers.includes(name)) return;
  throw new UsageError(
    servers.length === 0
      ? `${command}: no MCP server named ${name}: none is configured; ${HOW_TO_ADD}`
      : `${command}: no MCP server named ${name} (configured: ${servers.join(', ')}); add it under integrations.mcp.servers in config.yaml`,
  );
}

/** `--args`: one JSON object, or one line saying what is wrong with it. */
function parseToolArgs(command: string, text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new UsageError(
      `${command}: --args is not valid JSON (${safeTerminalText(reason ?? '')}); pass one JSON object, e.g. --args '{"query": "Alice"}'`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new UsageError(
      `${command}: --args must be a JSON object ({"name": value, …}), got ${got}; e.g. --args '{"query": "Alice"}'`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * An error the hub or a server gave, as the one line main.ts prints: bad usage (MCP off, an
 * unknown or disabled server) exits 2; a server that failed exits 1 with its own words, the
 * stderr tail only when it is short enough to read on one line.
 */
function mcpError(command: string, error: unknown, name?: string): unknown {
  if (error instanceof McpHubError) {
    // Not bad usage: the tool exists but waits for the user's review (the fix is in the text).
    if (error.kind === 'mcp_tool_not_approved') return new Error(`${command}: ${error.message}`);
    if (error.kind === 'mcp_listing_changed') {
      return new Error(
        `${command}: ${error.message}; nothing was approved: run omnipalm mcp approve ${name ?? 'NAME'} again`,
      );
    }
    return new UsageError(`${command}: ${error.message}`);
  }
  if (error instanceof McpConnectionError) {
    const marker = '; its stderr ends with: ';
    const base = error.message.includes(marker)
      ? error.message.slice(0, error.message.lastIndexOf(marker))
      : error.message;
    const tail = stderrGist(error.stderr);
    return new Error(
      `${command}: ${safeTerminalText(base)}${tail ? ` (its stderr: ${safeTerminalText(tail)})` : ''}`,
    );
  }
  return error;
}

const ERROR_LINE =
  /error|denied|not permitted|cannot|can't|fatal|no such|refused|failed|EACCES|ENOENT/i;

/**
 * A server's stderr on one line: all of it when short, else the line that names the error
 * (a node stack's "Error: Cannot find module …", bubblewrap's refusal), else its last line.
 */
export function stderrGist(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const all = lines.join(' ⏎ ');
  if (all.length <= 200) return all;
  const named = lines.filter((line) => !line.startsWith('at ') && ERROR_LINE.test(line)).at(-1);
  const line = named ?? lines.at(-1) ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function approvalText(server: McpServerView): string {
  switch (server.approval) {
    case 'never_reviewed':
      return 'never reviewed';
    case 'approved': {
      const count = server.approvedTools.length;
      return `approved ${count} tool${count === 1 ? '' : 's'}`;
    }
    default:
      return 'changed: review needed';
  }
}

/** A stdio server runs in the OS sandbox, or says why not; an http server runs elsewhere. */
function sandboxText(server: McpServerView): string {
  if (server.kind === 'http') return 'remote';
  return server.sandboxed ? 'sandboxed' : 'NOT SANDBOXED';
}

/** The `mcp list` table: one row per server, the long target last. */
export function formatServerList(servers: readonly McpServerView[], mcpEnabled: boolean): string[] {
  const rows = servers.map((server) => [
    server.name,
    server.enabled ? 'on' : 'off',
    server.kind,
    server.state + (server.restarts > 0 ? ` (${server.restarts} restarts)` : ''),
    approvalText(server),
    sandboxText(server),
    server.hosts.length > 0 ? server.hosts.join(',') : '-',
    server.target,
  ]);
  const header = ['NAME', 'ON', 'KIND', 'STATE', 'APPROVAL', 'SANDBOX', 'HOSTS', 'TARGET'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ');
  const lines = [line(header), ...rows.map((row) => safeTerminalText(line(row)))];
  for (const server of servers) {
    if (server.warning) lines.push(`⚠ ${server.name}: ${safeTerminalText(server.warning)}`);
    if (server.lastError) {
      lines.push(`  ${server.name}: last error: ${safeTerminalText(server.lastError)}`);
    }
    if (server.approval !== 'approved' && server.enabled) {
      lines.push(`  ${server.name}: review its tools with omnipalm mcp approve ${server.name}`);
    }
  }
  if (!mcpEnabled) lines.push(`MCP is off (integrations.mcp.enabled is false); ${HOW_TO_ENABLE}`);
  return lines;
}

/**
 * The lines of `before` and `after` that differ, as "- old" / "+ new" around a few lines of
 * context: the longest common subsequence of lines, enough for a description or a schema.
 */
export function lineDiff(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const common: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      common[i]![j] =
        a[i] === b[j]
          ? common[i + 1]![j + 1]! + 1
          : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const marked: { mark: ' ' | '-' | '+'; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      marked.push({ mark: ' ', text: a[i]! });
      i += 1;
      j += 1;
    } else if (i < a.length && (j >= b.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      // What was approved first, then what replaced it.
      marked.push({ mark: '-', text: a[i]! });
      i += 1;
    } else {
      marked.push({ mark: '+', text: b[j]! });
      j += 1;
    }
  }
  // Unchanged lines only next to a change (one line of context), the rest elided.
  const changedAt = (index: number) => (marked[index]?.mark ?? ' ') !== ' ';
  const keep = marked.map(
    (_line, index) => changedAt(index) || changedAt(index - 1) || changedAt(index + 1),
  );
  const lines: string[] = [];
  marked.forEach((line, index) => {
    if (keep[index]) lines.push(`${line.mark} ${line.text}`);
    else if (keep[index - 1] !== false || index === 0) lines.push('  …');
  });
  return lines;
}

function schemaText(schema: unknown): string {
  return JSON.stringify(schema ?? null, null, 2);
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

/** A reviewed text (hidden parts already ⟦visible⟧) with its flags, for the terminal. */
function reviewedLines(label: string, text: string, flags: readonly string[]): string[] {
  const lines = [`    ${label}:`];
  lines.push(indent(safeTerminalText(text === '' ? '(none)' : text), '      '));
  for (const flag of flags) lines.push(`    ⚠ ${safeTerminalText(flag)}`);
  return lines;
}

const STATUS_TEXT: Record<McpToolReview['status'], string> = {
  approved: 'approved',
  new: 'NEW: not approved yet',
  changed: 'CHANGED since you approved it: disabled until approved again',
  removed: 'REMOVED: no longer listed by the server',
  duplicated: 'listed more than once: cannot be used or approved',
};

/** One tool as the user reviews it. */
export function formatToolReview(tool: McpToolReview): string[] {
  const name = safeTerminalText(tool.name);
  const offered = tool.modelName
    ? `the model sees it as ${safeTerminalText(tool.modelName)}`
    : `not offered to the model: ${safeTerminalText(tool.offerProblem ?? 'no model name')}`;
  const lines = [`• ${name} — ${STATUS_TEXT[tool.status]}`];
  lines.push(
    `    rule: ${tool.rule}${tool.readOnly ? ' · read-only (marked by you)' : ''} · ${offered}`,
  );
  const claims = Object.entries(tool.annotations ?? {});
  if (claims.length > 0) {
    const shown = claims.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ');
    lines.push(`    server's claims (not trusted): ${safeTerminalText(shown)}`);
  }
  if (tool.status === 'removed') {
    if (tool.previousDescription) {
      lines.push(
        ...reviewedLines(
          'description when approved',
          tool.previousDescription.text,
          tool.previousDescription.flags,
        ),
      );
    }
    return lines;
  }
  lines.push(...reviewedLines('description', tool.description.text, tool.description.flags));
  // The schema reaches the model too (property descriptions, defaults): reviewed the same way.
  const schema = reviewText(schemaText(tool.inputSchema));
  if (tool.status === 'changed') {
    const before = tool.previousDescription?.text ?? '';
    if (before !== tool.description.text) {
      lines.push('    description changed (- approved, + now):');
      for (const line of lineDiff(before, tool.description.text)) {
        lines.push(`      ${safeTerminalText(line)}`);
      }
    }
    const previous = reviewText(schemaText(tool.previousInputSchema));
    if (previous.text !== schema.text) {
      lines.push('    input schema changed (- approved, + now):');
      for (const line of lineDiff(previous.text, schema.text)) {
        lines.push(`      ${safeTerminalText(line)}`);
      }
    }
  } else {
    lines.push(`    input: ${safeTerminalText(JSON.stringify(tool.inputSchema ?? null))}`);
  }
  for (const flag of schema.flags) lines.push(`    ⚠ input schema: ${safeTerminalText(flag)}`);
  return lines;
}

/** Every flag of a description or schema the review raised (for approve's question). */
function flaggedTools(review: McpReview): string[] {
  return review.tools
    .filter(
      (tool) =>
        tool.status !== 'removed' &&
        (tool.description.flags.length > 0 ||
          reviewText(schemaText(tool.inputSchema)).flags.length > 0),
    )
    .map((tool) => tool.name);
}

export function formatReview(review: McpReview): string[] {
  const { server } = review;
  const lines = [
    `${safeTerminalText(server.name)} — ${server.kind}: ${safeTerminalText(server.target)} · ${sandboxText(server)} · ${approvalText(server)}`,
  ];
  if (server.warning) lines.push(`⚠ ${safeTerminalText(server.warning)}`);
  if (review.tools.length === 0) {
    lines.push('it lists no tools');
    return lines;
  }
  lines.push(
    "Descriptions are shown as the model reads them, hidden parts as ⟦…⟧; annotations are the server's claims, never trusted.",
  );
  for (const tool of review.tools) {
    lines.push('');
    lines.push(...formatToolReview(tool));
  }
  return lines;
}

/** y/N on the terminal; anything but y or yes, or the end of input, is a no. */
async function askYesNo(streams: McpStreams, question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: streams.stdin, output: streams.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      rl.on('close', () => resolve(''));
    });
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export async function runMcpCommand(
  args: string[],
  io: CliIO,
  home: string,
  streams: McpStreams = process,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(MCP_HELP);
    return EXIT_OK;
  }
  const command = `mcp ${sub}`;
  switch (sub) {
    case 'list': {
      const { values } = parseCommandArgs(
        command,
        rest,
        { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
        0,
      );
      if (values.help) return help(io);
      const core = await AgentCore.open({ home, env: io.env });
      try {
        const servers = await core.mcpServers();
        const enabled = core.config.integrations.mcp.enabled;
        if (values.json) {
          io.stdout(JSON.stringify({ enabled, servers }));
          return EXIT_OK;
        }
        if (servers.length === 0) {
          io.stdout(
            `no MCP servers configured: ${HOW_TO_ADD}${enabled ? '' : `; MCP is off: ${HOW_TO_ENABLE}`}`,
          );
          return EXIT_OK;
        }
        io.stdout(formatServerList(servers, enabled).join('\n'));
        return EXIT_OK;
      } catch (error) {
        throw mcpError(command, error);
      } finally {
        await core.close();
      }
    }
    case 'tools': {
      const { values, positionals } = parseCommandArgs(
        command,
        rest,
        {
          json: { type: 'boolean' },
          'allow-root': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        1,
      );
      if (values.help) return help(io);
      const name = checkServerName(command, positionals[0]);
      assertNotRoot(io, values['allow-root']);
      return withCore(io, home, command, name, async (core) => {
        const review = await core.reviewMcpServer(name);
        if (values.json) {
          io.stdout(JSON.stringify(review));
          return EXIT_OK;
        }
        io.stdout(formatReview(review).join('\n'));
        if (review.pending) {
          io.stdout(`\nto approve what is shown: omnipalm mcp approve ${name}`);
        }
        return EXIT_OK;
      });
    }
    case 'approve': {
      const { values, positionals } = parseCommandArgs(
        command,
        rest,
        {
          yes: { type: 'boolean', short: 'y' },
          'allow-root': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        1,
      );
      if (values.help) return help(io);
      const name = checkServerName(command, positionals[0]);
      assertNotRoot(io, values['allow-root']);
      // Before the server is started: nobody could answer the question.
      if (values.yes !== true && streams.stdin.isTTY !== true) {
        throw new UsageError(
          `${command}: stdin is not a terminal, so nobody can confirm; review with omnipalm mcp tools ${name}, then pass --yes to approve without asking`,
        );
      }
      return withCore(io, home, command, name, async (core) => {
        const review = await core.reviewMcpServer(name);
        io.stdout(formatReview(review).join('\n'));
        const listed = review.tools.filter((tool) => tool.status !== 'removed');
        if (!review.pending && review.server.approval === 'approved') {
          io.stdout(
            `\nnothing to approve: the ${listed.length} tools of ${name} are approved as listed`,
          );
          return EXIT_OK;
        }
        if (values.yes !== true) {
          const flagged = flaggedTools(review);
          const warning =
            flagged.length > 0
              ? ` ⚠ ${flagged.length} of them flagged (${flagged.map(safeTerminalText).join(', ')}): approve only if you trust what is shown.`
              : '';
          const approved = await askYesNo(
            streams,
            `\nApprove these ${listed.length} tools of ${name}?${warning} [y/N] `,
          );
          if (!approved) {
            io.stderr(`not approved: ${name}'s tools stay as they were`);
            return EXIT_OK;
          }
        }
        // With the listing shown: a server that changed its tools since is refused, not pinned.
        const pinned = await core.approveMcpServer(name, { listing: review.listing });
        const names = pinned.server.approvedTools;
        io.stdout(
          `approved ${names.length} tool${names.length === 1 ? '' : 's'} of ${name}: ${names.map(safeTerminalText).join(', ') || '(none)'}`,
        );
        return EXIT_OK;
      });
    }
    case 'call': {
      const { values, positionals } = parseCommandArgs(
        command,
        rest,
        {
          args: { type: 'string' },
          json: { type: 'boolean' },
          'allow-root': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        2,
      );
      if (values.help) return help(io);
      const name = checkServerName(command, positionals[0]);
      const tool = positionals[1];
      if (tool === undefined || tool === '') {
        throw new UsageError(
          `${command}: which tool? e.g. omnipalm mcp call ${name} TOOL --args '{…}' (see omnipalm mcp tools ${name})`,
        );
      }
      const toolArgs = parseToolArgs(command, values.args);
      assertNotRoot(io, values['allow-root']);
      return withCore(io, home, command, name, (core) =>
        callTool(core, io, streams, { command, name, tool, toolArgs, json: values.json === true }),
      );
    }
    default:
      throw new UsageError(
        `unknown mcp command "${safeTerminalText(sub)}" (expected list, tools, approve or call; see omnipalm mcp --help)`,
      );
  }
}

/** Opens the core, checks the server is configured, runs `body`, and always closes it. */
async function withCore(
  io: CliIO,
  home: string,
  command: string,
  name: string,
  body: (core: AgentCore) => Promise<number>,
): Promise<number> {
  const core = await AgentCore.open({ home, env: io.env });
  try {
    checkServerConfigured(core, command, name);
    return await body(core);
  } catch (error) {
    throw mcpError(command, error, name);
  } finally {
    await core.close();
  }
}

async function callTool(
  core: AgentCore,
  io: CliIO,
  streams: McpStreams,
  call: {
    command: string;
    name: string;
    tool: string;
    toolArgs: Record<string, unknown>;
    json: boolean;
  },
): Promise<number> {
  const { command, name, tool } = call;
  const stop = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C: the user means it
    streams.stderr.write('\nstopping… (Ctrl-C again to quit at once)\n');
    stop.abort();
  };
  let door: CliFrontDoor | undefined;
  let detach: (() => void) | undefined;
  process.on('SIGINT', onSigint);
  try {
    if (streams.stdin.isTTY === true) {
      door = new CliFrontDoor({ input: streams.stdin, output: streams.stderr });
      door.onInterrupt(onSigint);
      detach = core.broker.attach(door);
    }
    let outcome: McpCallOutcome;
    try {
      outcome = await core.callMcpTool(name, tool, call.toolArgs, { signal: stop.signal });
    } catch (error) {
      // "No approved tool" is also what a mistyped name gets: tell the two apart.
      if (error instanceof McpHubError && error.kind === 'mcp_tool_not_approved') {
        throw (await unknownToolError(core, command, name, tool)) ?? error;
      }
      throw error;
    }
    if (call.json) {
      io.stdout(
        JSON.stringify({ status: outcome.status, result: outcome.result, text: outcome.text }),
      );
    } else if (outcome.status === 'ok') {
      io.stdout(safeTerminalText(outcome.text));
    }
    if (outcome.status === 'ok') return EXIT_OK;
    const what = outcome.status === 'denied' ? 'denied' : 'failed';
    io.stderr(
      `omnipalm: ${command}: ${name} ${safeTerminalText(tool)} ${what}: ${safeTerminalText(oneLine(outcome.text))}`,
    );
    return EXIT_FAILED;
  } finally {
    process.off('SIGINT', onSigint);
    detach?.();
    door?.close();
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ⏎ ');
}

/**
 * A tool the server does not list is a mistyped name: exit 2 naming the tools it lists. Asked
 * only after the call failed, when the server already runs, so no call pays for a second start.
 */
async function unknownToolError(
  core: AgentCore,
  command: string,
  name: string,
  tool: string,
): Promise<UsageError | undefined> {
  let review: McpReview;
  try {
    review = await core.reviewMcpServer(name);
  } catch {
    return undefined;
  }
  const listed = review.tools
    .filter((entry) => entry.status !== 'removed')
    .map((entry) => entry.name);
  if (listed.includes(tool)) return undefined;
  return new UsageError(
    `${command}: server ${name} lists no tool ${JSON.stringify(safeTerminalText(tool))} (it lists: ${listed.map(safeTerminalText).join(', ') || 'none'}; see omnipalm mcp tools ${name})`,
  );
}

function help(io: CliIO): number {
  io.stdout(MCP_HELP);
  return EXIT_OK;
}
