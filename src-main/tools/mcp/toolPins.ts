// Pinned MCP tool lists. A server's tool list is the server's word, and the server can change
// it at any time: a tool approved as "search issues" can later describe itself with hidden
// instructions or a new argument that carries data out ("rug pull"). So what the user approved
// is fingerprinted and stored, and a tool is usable only while the server lists it exactly as
// approved; anything added, removed or changed waits for the user's review again.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MCP_SERVER_NAME } from '../../config/mcpSchema.js';
import { ensurePrivateFolder, withFileLock, writeFileAtomic } from '../../config/atomicWrite.js';

export { reviewText, type ReviewedText } from './descriptionReview.js';

/** A tool as a server lists it (the parts a user reviews). */
export interface McpToolDefinition {
  name: string;
  description?: string | undefined;
  inputSchema: unknown;
  /** The server's hints (readOnlyHint, …): kept for display, not part of the fingerprint. */
  annotations?: Record<string, unknown> | undefined;
}

/** What the user approved for one tool: its fingerprint, and what it said then (for diffs). */
export interface PinnedTool {
  fingerprint: string;
  description: string;
  inputSchema: unknown;
  approvedAt: string;
  /** What the server claimed about the tool when it was approved (shown, never trusted). */
  annotations?: Record<string, unknown> | undefined;
}

export type PinnedTools = Readonly<Record<string, PinnedTool>>;

export interface ToolChange {
  name: string;
  before: PinnedTool;
  after: McpToolDefinition;
}

export interface ToolDiff {
  /** Listed, never approved. */
  added: McpToolDefinition[];
  /** Approved, no longer listed. */
  removed: ({ name: string } & PinnedTool)[];
  /** Listed under an approved name, but not as approved (description or schema). */
  changed: ToolChange[];
  /** Listed exactly as approved: the only usable tools. */
  unchanged: string[];
  /**
   * Names the server listed more than once: which of the definitions a call would meet is the
   * server's choice, so none of them is usable.
   */
  duplicated: string[];
}

/** JSON with object keys sorted at every depth, so that key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) sorted[key] = sortKeys(child);
  }
  return sorted;
}

/** sha256 of the tool's name, description and input schema in canonical JSON. */
export function fingerprintTool(tool: McpToolDefinition): string {
  const canonical = canonicalJson({
    name: tool.name,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema ?? null,
  });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** How the listed tools stand against what was approved. */
export function diffTools(pinned: PinnedTools, listed: readonly McpToolDefinition[]): ToolDiff {
  const diff: ToolDiff = { added: [], removed: [], changed: [], unchanged: [], duplicated: [] };
  const counts = new Map<string, number>();
  for (const tool of listed) counts.set(tool.name, (counts.get(tool.name) ?? 0) + 1);
  const seen = new Set<string>();
  for (const tool of listed) {
    if (seen.has(tool.name)) continue;
    seen.add(tool.name);
    if ((counts.get(tool.name) ?? 0) > 1) {
      diff.duplicated.push(tool.name);
      continue;
    }
    const before = Object.hasOwn(pinned, tool.name) ? pinned[tool.name] : undefined;
    if (!before) diff.added.push(tool);
    else if (before.fingerprint === fingerprintTool(tool)) diff.unchanged.push(tool.name);
    else diff.changed.push({ name: tool.name, before, after: tool });
  }
  for (const [name, pin] of Object.entries(pinned)) {
    if (!counts.has(name)) diff.removed.push({ name, ...pin });
  }
  return diff;
}

/** The tools that may be offered to the model: pinned, listed once, and unchanged. */
export function usableTools(pinned: PinnedTools, listed: readonly McpToolDefinition[]): string[] {
  return diffTools(pinned, listed).unchanged;
}

/** The pins file: $OMNIPALM_HOME/state/mcp-pins.json. */
export function toolPinsFile(omnipalmHome: string): string {
  return path.join(omnipalmHome, 'state', 'mcp-pins.json');
}

const pinnedToolSchema = z.strictObject({
  fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  description: z.string(),
  inputSchema: z.unknown(),
  approvedAt: z.string(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

const pinsFileSchema = z.strictObject({
  version: z.literal(1),
  servers: z.record(z.string(), z.record(z.string(), pinnedToolSchema)),
  /** Server → what changed since approval, as last seen: kept across restarts until approved. */
  changed: z.record(z.string(), z.string()).optional(),
});

type PinsFile = z.output<typeof pinsFileSchema>;

function assertServerName(server: string): void {
  if (!MCP_SERVER_NAME.test(server))
    throw new Error(`not an MCP server name: ${JSON.stringify(server)}`);
}

/** Reads and writes the approved tool lists; each write is atomic, 0600, under a lock. */
export class ToolPinStore {
  constructor(
    private readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The approved tools of `server` (none when it was never reviewed). */
  pinned(server: string): PinnedTools {
    const servers = this.read().servers;
    return Object.hasOwn(servers, server) ? servers[server]! : {};
  }

  /**
   * Records `tools` as the server's approved list, replacing the previous one: the user
   * reviewed this listing as a whole, so a tool missing from it is no longer approved.
   */
  approve(server: string, tools: readonly McpToolDefinition[]): PinnedTools {
    assertServerName(server);
    const names = tools.map((tool) => tool.name);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated !== undefined) {
      throw new Error(
        `MCP server ${server} lists the tool ${repeated} more than once; it cannot be approved`,
      );
    }
    const approvedAt = this.now().toISOString();
    // No prototype: a tool named "__proto__" must be a tool, not the object's prototype.
    const pins = Object.create(null) as Record<string, PinnedTool>;
    for (const tool of tools) {
      pins[tool.name] = {
        fingerprint: fingerprintTool(tool),
        description: tool.description ?? '',
        inputSchema: tool.inputSchema ?? null,
        approvedAt,
        ...(tool.annotations ? { annotations: { ...tool.annotations } } : {}),
      };
    }
    this.update((data) => {
      data.servers[server] = pins;
      if (data.changed) delete data.changed[server];
    });
    return pins;
  }

  /** Drops every approval for `server` (its tools are reviewed again next time). */
  forget(server: string): void {
    assertServerName(server);
    this.update((data) => {
      delete data.servers[server];
      if (data.changed) delete data.changed[server];
    });
  }

  /** What the server changed since its tools were approved, if a listing showed a change. */
  changes(server: string): string | undefined {
    const changed = this.read().changed;
    return changed && Object.hasOwn(changed, server) ? changed[server] : undefined;
  }

  /** Records (or, with undefined, clears) what a listing showed changed since approval. */
  recordChanges(server: string, summary: string | undefined): void {
    assertServerName(server);
    if (this.changes(server) === summary) return;
    this.update((data) => {
      if (summary === undefined) {
        if (data.changed) delete data.changed[server];
      } else {
        data.changed ??= Object.create(null) as Record<string, string>;
        data.changed[server] = summary;
      }
    });
  }

  /** The file's text and what it parsed to: the same text is not parsed again. */
  private cache: { text: string; data: PinsFile } | undefined;

  private update(change: (data: PinsFile) => void): void {
    ensurePrivateFolder(path.dirname(this.file));
    withFileLock(this.file, () => {
      // A fresh parse: the cached one is shared with readers and must not change.
      this.cache = undefined;
      const data = this.read();
      this.cache = undefined;
      change(data);
      writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
    });
  }

  private read(): PinsFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { version: 1, servers: Object.create(null) as PinsFile['servers'] };
      }
      throw error;
    }
    if (this.cache?.text === text) return this.cache.data;
    // A damaged file must not count as "approved" nor be silently replaced: say what to do.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = pinsFileSchema.safeParse(parsed);
    if (!result.success) {
      throw new Error(
        `${this.file} is damaged; delete it and approve your MCP servers' tools again (omnipalm mcp approve NAME)`,
      );
    }
    this.cache = { text, data: result.data };
    return result.data;
  }
}
