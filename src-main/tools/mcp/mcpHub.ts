// The MCP servers of this process: one connection per configured server (started on first
// use, stopped with the app), the user's review of each server's tools, and the tools offered
// to the model.
//
// What the model sees of a server is only what the user approved: each offered tool is built
// from its pin (the approved name, description and schema), never from a later listing. And
// before a tool runs, the server's current listing must still show it exactly as approved —
// checked once per server process and again whenever the server says its list changed — so a
// description changed after approval ("rug pull") disables the tool, with an alert, until the
// user reviews it again.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditEvent } from '../../audit/auditEvent.js';
import type { OmniPalmConfig } from '../../config/schema.js';
import type { McpServerConfig, McpToolRule } from '../../config/mcpSchema.js';
import type { AgentTool, ToolPlan } from '../../agent/toolRegistry.js';
import type { Policy } from '../../policy/taskPolicy.js';
import { sandboxSettingsFromConfig } from '../shell/sandbox.js';
import { findSandboxViolations } from '../shell/sandboxViolations.js';
import {
  McpConnection,
  type McpCallOptions,
  type McpConnectionOptions,
  type McpConnectionState,
  type McpServerSettings,
} from './mcpConnection.js';
import { McpConnectionError } from './mcpErrors.js';
import { createMcpLauncher, type McpLauncher } from './mcpSandbox.js';
import {
  canonicalJson,
  diffTools,
  fingerprintTool,
  reviewText,
  toolPinsFile,
  ToolPinStore,
  type McpToolDefinition,
  type PinnedTools,
  type ReviewedText,
} from './toolPins.js';

export type McpApproval = 'never_reviewed' | 'approved' | 'changed';

export interface McpServerView {
  name: string;
  /** integrations.mcp.enabled and the server's own enabled. */
  enabled: boolean;
  kind: 'stdio' | 'http';
  /** The command line, or the url. */
  target: string;
  hosts: string[];
  rules: Record<string, McpToolRule>;
  readOnlyTools: string[];
  resources: boolean;
  prompts: boolean;
  state: McpConnectionState;
  restarts: number;
  /** The running server's process (a sandboxed server's sandbox process). */
  pid?: number;
  lastError?: string;
  /** Whether a stdio server runs in the OS sandbox (an http server runs elsewhere). */
  sandboxed: boolean;
  /** Set when the server would run unsandboxed (security.sandbox off). */
  warning?: string;
  approvedTools: string[];
  /** changed: the last listing seen (by any process) differs from what was approved. */
  approval: McpApproval;
  /** What changed, e.g. "changed echo; added wipe" (when approval is changed). */
  changes?: string;
}

export interface McpToolReview {
  name: string;
  /** mcp_<server>_<tool>, as the model sees it; absent when the tool cannot be offered. */
  modelName?: string;
  offerProblem?: string;
  status: 'approved' | 'new' | 'changed' | 'removed' | 'duplicated';
  description: ReviewedText;
  previousDescription?: ReviewedText;
  inputSchema: unknown;
  /** Hidden or model-addressed text in the input schema (its property descriptions…). */
  inputSchemaFlags: string[];
  previousInputSchema?: unknown;
  /** The server's hints about its tool (readOnlyHint, …): shown, never trusted. */
  annotations?: Record<string, unknown>;
  /** The user's rule (a tool not listed: ask). */
  rule: McpToolRule;
  /** Marked read-only by the user (read_only_tools). */
  readOnly: boolean;
}

export interface McpReview {
  server: McpServerView;
  tools: McpToolReview[];
  /** Fingerprint of this listing: approve({ listing }) pins exactly what was shown. */
  listing: string;
  /** Something waits for approval: new, changed or removed tools. */
  pending: boolean;
}

export type McpHubErrorKind =
  | 'mcp_disabled'
  | 'mcp_server_unknown'
  | 'mcp_server_disabled'
  | 'mcp_listing_changed'
  | 'mcp_listing_invalid'
  | 'mcp_tool_not_approved';

export class McpHubError extends Error {
  constructor(
    readonly kind: McpHubErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'McpHubError';
  }
}

export interface McpHubOptions {
  /** $OMNIPALM_HOME: the pins file, and a folder the servers never see. */
  home: string;
  homeDir: string;
  /** A secret's value by name (mcp_*), or undefined when it is not set. */
  resolveSecret: (name: string) => string | undefined;
  /** Removes known secrets from text a server returns (it may echo what it was given). */
  redact: <T>(value: T) => T;
  audit: (event: AuditEvent) => void;
  /** Timeouts and backoff for the connections (tests shorten them). */
  connection?: Omit<McpConnectionOptions, 'launcher' | 'onToolListChanged'>;
}

/** Most characters of a result the model gets; the rest is cut with a note. */
export const MAX_RESULT_CHARS = 50_000;
/** Most characters of an offered description. */
const MAX_DESCRIPTION_CHARS = 4_000;
const MODEL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The model's name for a server's tool: dots are not allowed in provider tool names. */
export function mcpModelName(server: string, tool: string): string {
  return `mcp_${server}_${tool.replace(/\./g, '-')}`;
}

/** The audit log's name for a server's tool. */
export function mcpAuditName(server: string, tool: string): string {
  return `mcp.${server}.${tool}`;
}

function listingFingerprint(tools: readonly McpToolDefinition[]): string {
  const canonical = canonicalJson(
    tools.map((tool) => ({
      name: tool.name,
      description: tool.description ?? '',
      inputSchema: tool.inputSchema ?? null,
    })),
  );
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

interface Entry {
  connection: McpConnection;
  /** The resolved settings it was made for: a config change makes a new connection. */
  key: string;
  /** The configuration the key was last computed for. */
  config?: OmniPalmConfig;
  /** The listing last checked against the pins, and on which server process. */
  verified?: {
    generation: number;
    listing: McpToolDefinition[];
    /** Tool → its listed fingerprint, for names listed once (computed once per listing). */
    fingerprints?: Map<string, string>;
  };
  /** The server said its list changed since then. */
  stale: boolean;
  /** The listing fingerprint last alerted about (one alert per change). */
  alerted?: string;
  lastListing?: McpToolDefinition[];
}

/** The fingerprint of each tool listed exactly once (a name listed twice is never usable). */
function listedFingerprints(listing: readonly McpToolDefinition[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const tool of listing) counts.set(tool.name, (counts.get(tool.name) ?? 0) + 1);
  return new Map(
    listing
      .filter((tool) => counts.get(tool.name) === 1)
      .map((tool) => [tool.name, fingerprintTool(tool)]),
  );
}

interface McpPlan extends ToolPlan {
  args: Record<string, unknown>;
}

/**
 * The model names of `tools`: those that fit a provider's tool name (64 characters of
 * [a-zA-Z0-9_-]) and are not the same as another's once dots became dashes.
 */
export function offerableNames(server: string, tools: readonly string[]): Map<string, string> {
  const byModelName = new Map<string, string[]>();
  for (const tool of new Set(tools)) {
    const modelName = mcpModelName(server, tool);
    byModelName.set(modelName, [...(byModelName.get(modelName) ?? []), tool]);
  }
  const names = new Map<string, string>();
  for (const [modelName, owners] of byModelName) {
    if (owners.length === 1 && MODEL_NAME.test(modelName)) names.set(owners[0]!, modelName);
  }
  return names;
}

/** Most characters of an input schema offered to the model (every request carries it). */
export const MAX_SCHEMA_CHARS = 16_000;

function schemaTooLarge(schema: unknown): boolean {
  return (JSON.stringify(schema ?? null) ?? '').length > MAX_SCHEMA_CHARS;
}

function offerProblem(
  server: string,
  tool: string,
  listed: readonly { name: string; inputSchema?: unknown }[],
): string {
  const schema = listed.find((entry) => entry.name === tool)?.inputSchema;
  if (schemaTooLarge(schema)) {
    return `its input schema is over ${MAX_SCHEMA_CHARS} characters (every request to the model would carry it), so it is not offered`;
  }
  const modelName = mcpModelName(server, tool);
  if (!MODEL_NAME.test(modelName)) {
    return `its model name ${modelName} is longer than 64 characters or has characters a model's tool name cannot have, so it is not offered`;
  }
  const other = listed.find(
    (entry) => entry.name !== tool && mcpModelName(server, entry.name) === modelName,
  );
  return `its model name ${modelName} is the same as the tool ${other?.name ?? '?'}'s, so neither is offered`;
}

/** Every string in `value` (keys too) with its hidden parts made visible, as in a review. */
function visibleStrings(value: unknown): unknown {
  if (typeof value === 'string') return reviewText(value).text;
  if (Array.isArray(value)) return value.map(visibleStrings);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, child]) => [
      reviewText(key).text,
      visibleStrings(child),
    ]),
  );
}

/**
 * The input schema offered to the model: always an object schema, with hidden text in its
 * descriptions shown as the review showed it (the model reads a schema as it reads a
 * description).
 */
function objectSchema(schema: unknown): Record<string, unknown> {
  if (schema !== null && typeof schema === 'object' && !Array.isArray(schema)) {
    const { $schema: _ignored, ...rest } = visibleStrings(schema) as Record<string, unknown>;
    return { ...rest, type: 'object' };
  }
  return { type: 'object' };
}

/** A tool's result as the model gets it. */
export interface McpToolResult {
  isError: boolean;
  /** Text parts as text; images, audio and binary resources as a line saying what was left out. */
  content: { type: string; text: string }[];
  structuredContent?: unknown;
  /** Cut at MAX_RESULT_CHARS. */
  truncated: boolean;
}

function partText(part: Record<string, unknown>): { type: string; text: string } {
  const type = typeof part.type === 'string' ? part.type : 'unknown';
  if (type === 'text' && typeof part.text === 'string') return { type, text: part.text };
  if (type === 'resource' && part.resource && typeof part.resource === 'object') {
    const resource = part.resource as Record<string, unknown>;
    if (typeof resource.text === 'string') {
      return { type, text: `[resource ${String(resource.uri)}]\n${resource.text}` };
    }
    return { type, text: `[binary resource ${String(resource.uri)} not shown]` };
  }
  if (type === 'resource_link') {
    return {
      type,
      text: `[resource link ${String(part.uri)}${part.name ? ` (${String(part.name)})` : ''}]`,
    };
  }
  const size =
    typeof part.data === 'string' ? `, ${Math.floor((part.data.length * 3) / 4)} bytes` : '';
  return {
    type,
    text: `[${type}${typeof part.mimeType === 'string' ? ` ${part.mimeType}` : ''}${size} not shown]`,
  };
}

/** Text parts kept, binary parts described, the whole cut at MAX_RESULT_CHARS. */
export function shapeResult(result: {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
}): McpToolResult {
  const parts = Array.isArray(result.content) ? (result.content as Record<string, unknown>[]) : [];
  let budget = MAX_RESULT_CHARS;
  let truncated = false;
  const content: { type: string; text: string }[] = [];
  for (const part of parts) {
    const shaped = partText(part ?? {});
    if (shaped.text.length > budget) {
      content.push({
        type: shaped.type,
        text: `${shaped.text.slice(0, budget)}… (${shaped.text.length - budget} more characters cut)`,
      });
      truncated = true;
      budget = 0;
      break;
    }
    budget -= shaped.text.length;
    content.push(shaped);
  }
  if (content.length < parts.length && !truncated) truncated = true;
  let structuredContent = result.structuredContent;
  if (structuredContent !== undefined) {
    const json = JSON.stringify(structuredContent) ?? '';
    if (truncated || json.length > budget) {
      structuredContent = undefined;
      truncated = true;
    }
  }
  return {
    isError: result.isError === true,
    content,
    ...(structuredContent !== undefined ? { structuredContent } : {}),
    truncated,
  };
}

/** A value cut to MAX_RESULT_CHARS of JSON (a list of 10,000 resources, say). */
function boundedJson(value: unknown): unknown {
  const json = JSON.stringify(value) ?? 'null';
  if (json.length <= MAX_RESULT_CHARS) return value;
  return {
    truncated: true,
    text: `${json.slice(0, MAX_RESULT_CHARS)}… (${json.length - MAX_RESULT_CHARS} more characters cut)`,
  };
}

export function contentText(content: readonly { text: string }[]): string {
  return content.map((part) => part.text).join('\n');
}

function rulesOf(server: McpServerConfig): Record<string, McpToolRule> {
  return Object.fromEntries(Object.entries(server.tools));
}

export class McpHub {
  private readonly entries = new Map<string, Entry>();
  private readonly launchers = new Map<string, Promise<McpLauncher>>();
  private readonly pins: ToolPinStore;
  private closed = false;

  constructor(private readonly options: McpHubOptions) {
    this.pins = new ToolPinStore(toolPinsFile(options.home));
  }

  /** Every configured server as it stands; starts nothing. */
  async servers(config: OmniPalmConfig): Promise<McpServerView[]> {
    const views: McpServerView[] = [];
    for (const [name, server] of Object.entries(config.integrations.mcp.servers)) {
      views.push(await this.view(config, name, server));
    }
    return views;
  }

  /** Starts the server if needed and lists its tools against what the user approved. */
  async review(
    config: OmniPalmConfig,
    name: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<McpReview> {
    const server = this.serverConfig(config, name);
    const entry = await this.entry(config, name, server);
    const listed = await this.list(entry, options);
    return this.reviewOf(config, name, server, listed);
  }

  /**
   * Pins what the server lists now. With `listing` (from review), refuses if the server's
   * list is no longer the one the user saw: an approval is of what was shown.
   */
  async approve(
    config: OmniPalmConfig,
    name: string,
    options: { listing?: string | undefined; signal?: AbortSignal } = {},
  ): Promise<McpReview> {
    const server = this.serverConfig(config, name);
    const entry = await this.entry(config, name, server);
    const listed = await this.list(entry, options);
    const names = listed.map((tool) => tool.name);
    const repeated = names.find((tool, index) => names.indexOf(tool) !== index);
    if (repeated !== undefined) {
      throw new McpHubError(
        'mcp_listing_invalid',
        `MCP server ${name} lists the tool ${repeated} more than once, so which one a call would reach is the server's choice; it cannot be approved until the server lists each tool once`,
      );
    }
    if (options.listing !== undefined && options.listing !== listingFingerprint(listed)) {
      throw new McpHubError(
        'mcp_listing_changed',
        `MCP server ${name} lists different tools than the ones you reviewed; review them again before approving`,
      );
    }
    this.pins.approve(name, listed);
    entry.alerted = undefined;
    const review = await this.reviewOf(config, name, server, listed);
    this.options.audit({
      kind: 'config',
      name: `mcp.${name}`,
      text: `approved ${review.tools.filter((tool) => tool.status === 'approved').length} tools of MCP server ${name}`,
      fields: { by: 'user', listing: review.listing },
    });
    return review;
  }

  /**
   * The tools of every enabled server, as approved: built from the pins, so no server starts
   * before the model calls one of its tools, and the model reads only approved text.
   */
  agentTools<Context extends { enforcer: Policy; signal?: AbortSignal }>(
    config: OmniPalmConfig,
  ): AgentTool<Context>[] {
    const { mcp } = config.integrations;
    if (!mcp.enabled) return [];
    const tools: AgentTool<Context>[] = [];
    for (const [name, server] of Object.entries(mcp.servers)) {
      if (!server.enabled) continue;
      const pinned = this.pins.pinned(name);
      const names = offerableNames(name, Object.keys(pinned));
      for (const [tool, pin] of Object.entries(pinned)) {
        const modelName = names.get(tool);
        if (modelName === undefined || schemaTooLarge(pin.inputSchema)) continue;
        tools.push(
          this.agentTool<Context>(config, name, server, tool, modelName, {
            description: pin.description,
            inputSchema: pin.inputSchema,
          }),
        );
      }
      if (server.resources)
        tools.push(...this.featureTools<Context>(config, name, server, 'resources'));
      if (server.prompts)
        tools.push(...this.featureTools<Context>(config, name, server, 'prompts'));
    }
    return tools;
  }

  /**
   * A server's resources (list, read) or prompts (list, get), offered when the user switched
   * them on for the server. Their content is the server's: untrusted, redacted, bounded.
   */
  private featureTools<Context extends { enforcer: Policy; signal?: AbortSignal }>(
    config: OmniPalmConfig,
    name: string,
    server: McpServerConfig,
    feature: 'resources' | 'prompts',
  ): AgentTool<Context>[] {
    const prefix = feature === 'resources' ? 'mcpres' : 'mcpprompt';
    const make = <Input extends Record<string, unknown>>(
      verb: 'list' | 'read' | 'get',
      description: string,
      inputSchema: z.ZodType<Input>,
      run: (connection: McpConnection, input: Input, options: McpCallOptions) => Promise<unknown>,
    ): AgentTool<Context> => {
      const operationTool = `${feature}/${verb}`;
      return {
        name: mcpAuditName(name, operationTool),
        modelName: `${prefix}_${name}_${verb}`,
        description: `(MCP server ${name}) ${description}`,
        inputSchema,
        operation: 'mcp_call',
        untrustedResult: true,
        plan: (input, context): McpPlan => {
          const args = input as Record<string, unknown>;
          return {
            args,
            decision: context.enforcer.decide({
              op: 'mcp_call',
              server: name,
              tool: operationTool,
            }),
            summary: `${verb === 'list' ? 'List' : verb === 'read' ? 'Read' : 'Get'} ${verb === 'list' ? feature : feature.slice(0, -1)} of MCP server ${name}`,
            preview: [`server: ${name}`, `${operationTool} ${JSON.stringify(args)}`],
            fingerprint: createHash('sha256')
              .update(canonicalJson({ server: name, tool: operationTool, args }))
              .digest('hex'),
          };
        },
        execute: async (plan, context) => {
          const entry = await this.entry(config, name, server);
          const options = { signal: context.signal };
          const result = await this.redacted(
            run(entry.connection, (plan as McpPlan).args as Input, options),
          );
          return this.options.redact(boundedJson(result));
        },
      };
    };
    if (feature === 'resources') {
      return [
        make(
          'list',
          'Lists the resources this server offers (uri, name, description).',
          z.object({}),
          (connection, _input, options) =>
            connection.listResources(options).then((resources) =>
              resources.map(({ uri, name: title, description, mimeType }) => ({
                uri,
                name: title,
                description,
                mimeType,
              })),
            ),
        ),
        make(
          'read',
          'Reads one resource of this server by its uri.',
          z.object({ uri: z.string().min(1) }),
          (connection, input, options) =>
            connection.readResource(input.uri, options).then((result) =>
              shapeResult({
                content: result.contents.map((resource) => ({ type: 'resource', resource })),
              }),
            ),
        ),
      ];
    }
    return [
      make(
        'list',
        'Lists the prompt templates this server offers (name, description, arguments).',
        z.object({}),
        (connection, _input, options) =>
          connection.listPrompts(options).then((prompts) =>
            prompts.map(({ name: title, description, arguments: args }) => ({
              name: title,
              description,
              arguments: args,
            })),
          ),
      ),
      make(
        'get',
        'Gets one prompt template of this server, filled with the given arguments.',
        z.object({
          name: z.string().min(1),
          arguments: z.record(z.string(), z.string()).optional(),
        }),
        (connection, input, options) =>
          connection.getPrompt(input.name, input.arguments ?? {}, options).then((result) => ({
            description: result.description,
            messages: result.messages.map((message) => ({
              role: message.role,
              ...shapeResult({ content: [message.content] }),
            })),
          })),
      ),
    ];
  }

  /** One approved tool of an enabled server, or undefined when it is not offered. */
  agentToolFor<Context extends { enforcer: Policy; signal?: AbortSignal }>(
    config: OmniPalmConfig,
    name: string,
    tool: string,
  ): AgentTool<Context> | undefined {
    const { mcp } = config.integrations;
    const server = Object.hasOwn(mcp.servers, name) ? mcp.servers[name] : undefined;
    if (!mcp.enabled || !server?.enabled) return undefined;
    const pinned = this.pins.pinned(name);
    const pin = Object.hasOwn(pinned, tool) ? pinned[tool] : undefined;
    const modelName = offerableNames(name, Object.keys(pinned)).get(tool);
    if (!pin || modelName === undefined || schemaTooLarge(pin.inputSchema)) return undefined;
    return this.agentTool<Context>(config, name, server, tool, modelName, pin);
  }

  /** Stops every server (the app quits, or the core closes). */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => entry.connection.close()));
  }

  private serverConfig(config: OmniPalmConfig, name: string): McpServerConfig {
    const { mcp } = config.integrations;
    const server = Object.hasOwn(mcp.servers, name) ? mcp.servers[name] : undefined;
    if (!server) {
      const known = Object.keys(mcp.servers);
      throw new McpHubError(
        'mcp_server_unknown',
        `no MCP server named ${JSON.stringify(name)} is configured (${known.length ? `configured: ${known.join(', ')}` : 'none is'}); add it under integrations.mcp.servers in config.yaml`,
      );
    }
    if (!mcp.enabled) {
      throw new McpHubError(
        'mcp_disabled',
        'MCP servers are disabled; enable them with: omnipalm config set integrations.mcp.enabled true',
      );
    }
    if (!server.enabled) {
      throw new McpHubError(
        'mcp_server_disabled',
        `MCP server ${name} is disabled; set enabled: true under integrations.mcp.servers.${name}`,
      );
    }
    return server;
  }

  private launcher(config: OmniPalmConfig): Promise<McpLauncher> {
    const settings = sandboxSettingsFromConfig(config, {
      homeDir: this.options.homeDir,
      omnipalmHome: this.options.home,
    });
    const key = JSON.stringify(settings);
    let launcher = this.launchers.get(key);
    if (!launcher) {
      launcher = createMcpLauncher(settings);
      this.launchers.set(key, launcher);
    }
    return launcher;
  }

  /** The settings with secrets resolved; a missing secret is the user's to set. */
  private settingsOf(name: string, server: McpServerConfig): McpServerSettings {
    const resolve = (variable: string, secret: string): string => {
      const value = this.options.resolveSecret(secret);
      if (value === undefined) {
        throw new McpHubError(
          'mcp_server_disabled',
          `MCP server ${name} needs the secret ${secret} (for ${variable}), which is not set; store it with: omnipalm keys set ${secret}`,
        );
      }
      return value;
    };
    const env = Object.fromEntries(
      Object.entries(server.env).map(([variable, secret]) => [variable, resolve(variable, secret)]),
    );
    const headers = Object.fromEntries(
      Object.entries(server.headers).map(([header, secret]) => [header, resolve(header, secret)]),
    );
    const hosts = [...server.hosts];
    if (server.url !== undefined) {
      // The endpoint the user configured is a host the connection may reach.
      const host = new URL(server.url).hostname.toLowerCase();
      if (!hosts.includes(host)) hosts.unshift(host);
    }
    return {
      name,
      command: server.command,
      args: server.args,
      cwd: server.cwd,
      env,
      url: server.url,
      headers,
      hosts,
    };
  }

  private async entry(
    config: OmniPalmConfig,
    name: string,
    server: McpServerConfig,
  ): Promise<Entry> {
    if (this.closed) {
      throw new McpHubError('mcp_disabled', 'OmniPalm is stopping; MCP servers are closed');
    }
    const current = this.entries.get(name);
    // The same configuration object: the same settings, no need to resolve them again.
    if (current?.config === config) return current;
    const settings = this.settingsOf(name, server);
    const launcher = await this.launcher(config);
    const key = createHash('sha256')
      .update(JSON.stringify([settings, launcher.sandboxed, config.security]))
      .digest('hex');
    const existing = this.entries.get(name);
    if (existing && existing.key === key) {
      existing.config = config;
      return existing;
    }
    if (existing) void existing.connection.close();
    const entry: Entry = {
      key,
      config,
      stale: false,
      connection: new McpConnection(settings, {
        ...this.options.connection,
        launcher,
        onToolListChanged: () => {
          entry.stale = true;
        },
      }),
    };
    if (!launcher.sandboxed && launcher.warning && server.command !== undefined) {
      this.options.audit({
        kind: 'alert',
        level: 'WARN',
        name: `mcp.${name}`,
        text: launcher.warning,
      });
    }
    this.entries.set(name, entry);
    return entry;
  }

  /**
   * The rule that stopped a sandboxed server, read from what its failure says (the kernel's
   * words: a blocked file is missing, a write outside the allowed paths hits a read-only file
   * system, a host not in its hosts is refused): each is audited as a sandbox violation, and
   * the error gets one line naming the rule and the setting that would change it.
   */
  private explainSandboxStop(
    config: OmniPalmConfig,
    name: string,
    tool: string,
    server: McpServerConfig,
    text: string,
  ): string {
    if (server.command === undefined || config.security.sandbox === 'off') return text;
    const { blockedPaths } = sandboxSettingsFromConfig(config, {
      homeDir: this.options.homeDir,
      omnipalmHome: this.options.home,
    });
    const violations = findSandboxViolations(text, {
      cwd: server.cwd ?? this.options.homeDir,
      blockedPaths,
    });
    if (violations.length === 0) return text;
    const key = `integrations.mcp.servers.${name}`;
    const rules = new Set<string>();
    for (const violation of violations) {
      this.options.audit({
        kind: 'error',
        level: 'WARN',
        name: mcpAuditName(name, tool),
        tool: mcpAuditName(name, tool),
        status: 'sandbox_violation',
        text: `sandbox blocked ${violation.kind}: ${violation.line}`,
        fields: {
          sandbox_violation: violation.kind,
          ...(violation.path ? { path: violation.path } : {}),
        },
      });
      rules.add(
        violation.kind === 'read'
          ? `reading ${violation.path ?? 'a blocked path'} (security.blocked_paths: blocked paths are hidden from every server)`
          : violation.kind === 'write'
            ? `writing outside the allowed paths${violation.path ? ` (${violation.path})` : ''} (security.allowed_paths)`
            : violation.kind === 'network'
              ? `reaching a host that is not in its hosts (${key}.hosts)`
              : 'leaving the sandbox',
      );
    }
    return `${text}\nThe OS sandbox stopped the server ${[...rules].join('; ')}.`;
  }

  /**
   * What a server's failure says goes to a screen, a log and the model: its stderr may echo
   * a secret the server was given, so the message is redacted on the way out.
   */
  private async redacted<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (error instanceof McpConnectionError) {
        error.message = this.options.redact(error.message);
        Object.defineProperty(error, 'stderr', { value: this.options.redact(error.stderr) });
      }
      throw error;
    }
  }

  private async list(entry: Entry, options: McpCallOptions): Promise<McpToolDefinition[]> {
    const tools = await this.redacted(entry.connection.listTools(options));
    const listed = tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      inputSchema: tool.inputSchema,
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
    }));
    entry.lastListing = listed;
    entry.verified = { generation: entry.connection.generation, listing: listed };
    entry.stale = false;
    this.alertIfChanged(entry, listed);
    return listed;
  }

  /** One alert per new listing that differs from what was approved. */
  private alertIfChanged(entry: Entry, listed: McpToolDefinition[]): void {
    const name = entry.connection.name;
    const pinned = this.pins.pinned(name);
    if (Object.keys(pinned).length === 0) return;
    const diff = diffTools(pinned, listed);
    const parts = [
      ...(diff.changed.length
        ? [`changed ${diff.changed.map((tool) => tool.name).join(', ')}`]
        : []),
      ...(diff.added.length ? [`added ${diff.added.map((tool) => tool.name).join(', ')}`] : []),
      ...(diff.removed.length
        ? [`removed ${diff.removed.map((tool) => tool.name).join(', ')}`]
        : []),
      ...(diff.duplicated.length ? [`lists twice ${diff.duplicated.join(', ')}`] : []),
    ];
    // Kept in the pins file: `omnipalm mcp list` in another process still shows it.
    this.pins.recordChanges(name, parts.length === 0 ? undefined : parts.join('; '));
    if (parts.length === 0) return;
    const fingerprint = listingFingerprint(listed);
    if (entry.alerted === fingerprint) return;
    entry.alerted = fingerprint;
    this.options.audit({
      kind: 'alert',
      level: 'WARN',
      name: `mcp.${name}`,
      text: `MCP server ${name} changed its tools since you approved them (${parts.join('; ')}); changed and new tools stay disabled until you review them: omnipalm mcp approve ${name}`,
      fields: {
        server: name,
        changed: diff.changed.length,
        added: diff.added.length,
        removed: diff.removed.length,
      },
    });
  }

  private async view(
    config: OmniPalmConfig,
    name: string,
    server: McpServerConfig,
  ): Promise<McpServerView> {
    const pinned = this.pins.pinned(name);
    const entry = this.entries.get(name);
    const status = entry?.connection.status();
    const launcher = server.command !== undefined ? await this.launcher(config) : undefined;
    const approvedTools = Object.keys(pinned);
    const changes = approvedTools.length > 0 ? this.pins.changes(name) : undefined;
    return {
      name,
      enabled: config.integrations.mcp.enabled && server.enabled,
      kind: server.command !== undefined ? 'stdio' : 'http',
      target:
        server.command !== undefined
          ? [server.command, ...server.args].join(' ')
          : (server.url ?? ''),
      hosts: [...server.hosts],
      rules: rulesOf(server),
      readOnlyTools: [...server.read_only_tools],
      resources: server.resources,
      prompts: server.prompts,
      state: status?.state ?? 'idle',
      restarts: status?.restarts ?? 0,
      ...(status?.pid !== undefined ? { pid: status.pid } : {}),
      ...(status?.lastError ? { lastError: this.options.redact(status.lastError) } : {}),
      sandboxed: launcher ? launcher.sandboxed : false,
      ...(launcher?.warning ? { warning: launcher.warning } : {}),
      approvedTools,
      approval:
        approvedTools.length === 0
          ? 'never_reviewed'
          : changes !== undefined
            ? 'changed'
            : 'approved',
      ...(changes !== undefined ? { changes } : {}),
    };
  }

  private async reviewOf(
    config: OmniPalmConfig,
    name: string,
    server: McpServerConfig,
    listed: (McpToolDefinition & { annotations?: Record<string, unknown> })[],
  ): Promise<McpReview> {
    const pinned = this.pins.pinned(name);
    const diff = diffTools(pinned, listed);
    const names = offerableNames(
      name,
      listed.map((tool) => tool.name),
    );
    const ruleOf = (tool: string): McpToolRule =>
      Object.hasOwn(server.tools, tool) ? server.tools[tool]! : 'ask';
    const tools: McpToolReview[] = [];
    const changed = new Map(diff.changed.map((change) => [change.name, change]));
    const duplicated = new Set(diff.duplicated);
    const unchanged = new Set(diff.unchanged);
    const seen = new Set<string>();
    for (const tool of listed) {
      if (seen.has(tool.name)) continue;
      seen.add(tool.name);
      const change = changed.get(tool.name);
      const modelName = schemaTooLarge(tool.inputSchema) ? undefined : names.get(tool.name);
      tools.push({
        name: tool.name,
        ...(modelName !== undefined
          ? { modelName }
          : { offerProblem: offerProblem(name, tool.name, listed) }),
        status: duplicated.has(tool.name)
          ? 'duplicated'
          : unchanged.has(tool.name)
            ? 'approved'
            : change
              ? 'changed'
              : 'new',
        description: reviewText(tool.description ?? ''),
        ...(change
          ? {
              previousDescription: reviewText(change.before.description),
              previousInputSchema: change.before.inputSchema,
            }
          : {}),
        inputSchema: tool.inputSchema ?? null,
        inputSchemaFlags: reviewText(JSON.stringify(tool.inputSchema ?? null)).flags,
        ...(tool.annotations ? { annotations: { ...tool.annotations } } : {}),
        rule: ruleOf(tool.name),
        readOnly: server.read_only_tools.includes(tool.name),
      });
    }
    for (const removed of diff.removed) {
      tools.push({
        name: removed.name,
        status: 'removed',
        description: reviewText(removed.description),
        previousDescription: reviewText(removed.description),
        inputSchema: null,
        inputSchemaFlags: [],
        previousInputSchema: removed.inputSchema,
        rule: ruleOf(removed.name),
        readOnly: server.read_only_tools.includes(removed.name),
      });
    }
    return {
      server: await this.view(config, name, server),
      tools,
      listing: listingFingerprint(listed),
      pending: tools.some((tool) => tool.status !== 'approved'),
    };
  }

  /**
   * The server's current tool, checked against its pin: listed again when the server process
   * is new or said its list changed. Throws when the tool is no longer as approved.
   */
  private async verified(
    config: OmniPalmConfig,
    name: string,
    server: McpServerConfig,
    tool: string,
    fingerprint: string,
    options: McpCallOptions,
  ): Promise<McpConnection> {
    const entry = await this.entry(config, name, server);
    // Started first (a call starts the server anyway), so the generation is the live one.
    if (
      entry.stale ||
      entry.verified === undefined ||
      entry.verified.generation !== entry.connection.generation ||
      entry.connection.status().state !== 'running'
    ) {
      await this.list(entry, options);
      // The listing may itself have started a new process; list once more if so.
      if (entry.verified?.generation !== entry.connection.generation)
        await this.list(entry, options);
    }
    const pinned: PinnedTools = this.pins.pinned(name);
    const pin = Object.hasOwn(pinned, tool) ? pinned[tool] : undefined;
    const verified = entry.verified!;
    verified.fingerprints ??= listedFingerprints(verified.listing);
    const listed = verified.fingerprints.get(tool);
    if (!pin || pin.fingerprint !== fingerprint || listed !== fingerprint) {
      const why = !pin
        ? 'is no longer approved'
        : !verified.listing.some((entry) => entry.name === tool)
          ? 'is no longer offered by the server'
          : 'changed since you approved it (its description or input schema)';
      throw new McpHubError(
        'mcp_tool_not_approved',
        `MCP tool ${tool} of server ${name} ${why}; it is disabled until you review and approve it again: omnipalm mcp approve ${name}`,
      );
    }
    return entry.connection;
  }

  private agentTool<Context extends { enforcer: Policy; signal?: AbortSignal }>(
    config: OmniPalmConfig,
    name: string,
    server: McpServerConfig,
    tool: string,
    modelName: string,
    pin: { description: string; inputSchema: unknown },
  ): AgentTool<Context> {
    const fingerprint = this.pins.pinned(name)[tool]!.fingerprint;
    const auditName = mcpAuditName(name, tool);
    const description = reviewText(pin.description).text;
    const where = server.url ?? [server.command, ...server.args].join(' ');
    return {
      name: auditName,
      modelName,
      description: `(MCP server ${name}) ${description.length > MAX_DESCRIPTION_CHARS ? `${description.slice(0, MAX_DESCRIPTION_CHARS)}…` : description}`,
      inputSchema: z.record(z.string(), z.unknown()),
      inputJsonSchema: objectSchema(pin.inputSchema),
      operation: 'mcp_call',
      untrustedResult: true,
      // Before anyone is asked: the server (started if needed) still lists the tool as approved.
      prepare: async (context) => {
        await this.verified(config, name, server, tool, fingerprint, { signal: context.signal });
      },
      plan: (input, context): ToolPlan => {
        const args = input as Record<string, unknown>;
        const decision = context.enforcer.decide({ op: 'mcp_call', server: name, tool });
        const argsJson = JSON.stringify(args, null, 2);
        const annotations = this.lastAnnotations(name, tool);
        const preview = [
          `server: ${name} (${server.url !== undefined ? 'url' : 'command'} ${where})`,
          `tool: ${tool}`,
          'arguments:',
          ...argsJson.split('\n').map((line) => `  ${line}`),
          ...(annotations ? [`the server says (not trusted): ${JSON.stringify(annotations)}`] : []),
        ];
        const plan: McpPlan = {
          args,
          decision,
          summary: `Call ${tool} on MCP server ${name}`,
          preview:
            preview.length > 40
              ? [...preview.slice(0, 39), `… (${preview.length - 39} more lines in the full list)`]
              : preview,
          ...(preview.length > 40 ? { fullList: preview } : {}),
          fingerprint: createHash('sha256')
            .update(canonicalJson({ server: name, tool, args }))
            .digest('hex'),
        };
        return plan;
      },
      execute: async (plan, context) => {
        // Exactly the arguments the preview showed (the plan carries them).
        const { args } = plan as McpPlan;
        const options = { signal: context.signal };
        const connection = await this.verified(config, name, server, tool, fingerprint, options);
        // Progress the server reports keeps a long call alive; the task's timeout and Stop
        // still end it (the signal).
        let result;
        try {
          result = await this.redacted(
            connection.callTool(tool, args, { ...options, onProgress: () => undefined }),
          );
        } catch (error) {
          // A server that died on a sandbox rule says so on stderr: name the rule.
          if (error instanceof McpConnectionError) {
            error.message = this.explainSandboxStop(config, name, tool, server, error.message);
          }
          throw error;
        }
        const shaped = this.options.redact(shapeResult(result));
        if (shaped.isError) {
          const said = contentText(shaped.content).slice(0, 2000);
          throw new Error(
            `MCP tool ${tool} of server ${name} returned an error: ${this.explainSandboxStop(config, name, tool, server, said)}`,
          );
        }
        return shaped;
      },
    };
  }

  /** The server's latest claims about a tool: from its live listing, else from approval. */
  private lastAnnotations(name: string, tool: string): Record<string, unknown> | undefined {
    const listed = this.entries.get(name)?.lastListing?.find((entry) => entry.name === tool);
    if (listed) return listed.annotations;
    const pinned = this.pins.pinned(name);
    return Object.hasOwn(pinned, tool) ? pinned[tool]!.annotations : undefined;
  }
}
