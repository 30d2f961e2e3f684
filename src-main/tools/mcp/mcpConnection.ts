// One connection to one MCP server, through the official SDK client. It starts the server on
// first use (a stdio server inside the OS sandbox, see mcpSandbox.ts), and turns everything a
// server can do wrong into one error that names the server: junk on stdout, a broken answer,
// no answer to initialize, a crash mid-call (the pending call fails at once, it does not
// hang), a call that outlives its timeout. After a crash the next use starts it again, after
// a wait that doubles with each failure in a row (a server that dies on start must not be
// respawned in a tight loop) and starts over once a server ran for a healthy while.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  ProgressCallback,
  RequestOptions,
} from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { BoundedTail, McpConnectionError } from './mcpErrors.js';
import type { McpLauncher, PreparedLaunch } from './mcpSandbox.js';

/** One server as the configuration describes it, secrets already resolved to values. */
export interface McpServerSettings {
  name: string;
  /** A stdio server: the program and its arguments. */
  command?: string | undefined;
  args: string[];
  cwd?: string | undefined;
  env: Record<string, string>;
  /** A Streamable HTTP server. */
  url?: string | undefined;
  headers: Record<string, string>;
  /** Host names the server may reach (a stdio server's sandbox; an HTTP server's own url). */
  hosts: string[];
}

export interface McpBackoff {
  /** The wait before the first restart; doubled per failure in a row. */
  initialMs: number;
  maxMs: number;
  /** A server that ran this long before it failed counts as healthy: the waits start over. */
  healthyMs: number;
}

export interface McpConnectionOptions {
  /** Runs stdio servers (sandboxed unless security.sandbox is off). */
  launcher: McpLauncher;
  /** How long initialize may take, sandbox start included. */
  initializeTimeoutMs?: number;
  /** A call's timeout when the caller gives none. */
  callTimeoutMs?: number;
  backoff?: Partial<McpBackoff>;
  /** How much of the server's stderr is kept for error messages. */
  stderrLimit?: number;
  /** The server said its tool list changed (notifications/tools/list_changed). */
  onToolListChanged?: () => void;
}

export interface McpCallOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Progress the server reports; each report also restarts the timeout. */
  onProgress?: ProgressCallback | undefined;
}

export type McpConnectionState = 'idle' | 'starting' | 'running' | 'closed';

export interface McpConnectionStatus {
  state: McpConnectionState;
  /** Times the server was started again after it failed. */
  restarts: number;
  /** The process that runs (the sandbox's, for a sandboxed stdio server). */
  pid?: number | undefined;
  lastError?: string | undefined;
}

/** Pages of one listing (tools, resources, prompts) before the server counts as broken. */
export const MAX_PAGES = 100;

const DEFAULT_BACKOFF: McpBackoff = { initialMs: 500, maxMs: 30_000, healthyMs: 60_000 };

interface Live {
  client: Client;
  transport: Transport;
  stderr: BoundedTail;
  prepared: PreparedLaunch | undefined;
  startedAt: number;
  /** Set once the connection is over (crashed, failed or closed): the next use starts anew. */
  ended: boolean;
  /** We closed it: its end is not a crash. */
  closing: boolean;
  /** What broke it, when the server did (junk on stdout): the reason every pending call gets. */
  failure?: McpConnectionError;
}

/**
 * Waits for `work` unless `signal` aborts first. The start is shared by every caller, so one
 * caller's cancel only stops its own wait, not the start the others wait for.
 */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The stderr of an exited process reaches us a turn after its exit is reported. */
const stderrSettled = () => new Promise<void>((resolve) => setImmediate(resolve));

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function isParseError(error: Error): boolean {
  return (
    error instanceof SyntaxError ||
    error.name === 'ZodError' ||
    /ReadBuffer exceeded maximum size/.test(error.message)
  );
}

export class McpConnection {
  private live: Live | undefined;
  private starting: Promise<Live> | undefined;
  private closed = false;
  private failuresInARow = 0;
  private lastFailureAt = 0;
  private restarts = 0;
  private started = 0;
  private lastError: string | undefined;
  private readonly backoff: McpBackoff;

  constructor(
    readonly settings: McpServerSettings,
    private readonly options: McpConnectionOptions,
  ) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  get name(): string {
    return this.settings.name;
  }

  /** How many times a server process was started: a new one may list other tools. */
  get generation(): number {
    return this.started;
  }

  status(): McpConnectionStatus {
    const live = this.live && !this.live.ended ? this.live : undefined;
    const pid =
      live?.transport instanceof StdioClientTransport
        ? (live.transport.pid ?? undefined)
        : undefined;
    return {
      state: this.closed ? 'closed' : live ? 'running' : this.starting ? 'starting' : 'idle',
      restarts: this.restarts,
      pid,
      lastError: this.lastError,
    };
  }

  /** Every tool the server offers (all pages). */
  async listTools(options: McpCallOptions = {}): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await this.request('tools/list', options, (client, request) =>
        client.listTools(cursor ? { cursor } : undefined, request),
      );
      tools.push(...page.tools);
      cursor = this.nextPage(page.nextCursor, ++pages, 'tools/list');
    } while (cursor);
    return tools;
  }

  /** Calls a tool; a tool's own failure is a result with isError, not an exception. */
  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: McpCallOptions = {},
  ): Promise<CallToolResult> {
    const result = await this.request(`tools/call "${name}"`, options, (client, request) =>
      client.callTool({ name, arguments: args }, undefined, request),
    );
    return result as CallToolResult;
  }

  /** The server's resources (all pages): uri, name, description, mimeType. */
  async listResources(options: McpCallOptions = {}): Promise<Resource[]> {
    const resources: Resource[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await this.request('resources/list', options, (client, request) =>
        client.listResources(cursor ? { cursor } : undefined, request),
      );
      resources.push(...page.resources);
      cursor = this.nextPage(page.nextCursor, ++pages, 'resources/list');
    } while (cursor);
    return resources;
  }

  async readResource(uri: string, options: McpCallOptions = {}): Promise<ReadResourceResult> {
    return this.request(`resources/read "${uri}"`, options, (client, request) =>
      client.readResource({ uri }, request),
    );
  }

  /** The server's prompts (all pages): name, description, arguments. */
  async listPrompts(options: McpCallOptions = {}): Promise<Prompt[]> {
    const prompts: Prompt[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await this.request('prompts/list', options, (client, request) =>
        client.listPrompts(cursor ? { cursor } : undefined, request),
      );
      prompts.push(...page.prompts);
      cursor = this.nextPage(page.nextCursor, ++pages, 'prompts/list');
    } while (cursor);
    return prompts;
  }

  async getPrompt(
    name: string,
    args: Record<string, string>,
    options: McpCallOptions = {},
  ): Promise<GetPromptResult> {
    return this.request(`prompts/get "${name}"`, options, (client, request) =>
      client.getPrompt({ name, arguments: args }, request),
    );
  }

  /** A server that pages without end would keep a listing going forever: at most MAX_PAGES. */
  private nextPage(cursor: string | undefined, pages: number, what: string): string | undefined {
    if (cursor === undefined || pages < MAX_PAGES) return cursor;
    throw new McpConnectionError(
      this.name,
      'protocol',
      `${what} went on for more than ${MAX_PAGES} pages; the server's listing is not usable`,
    );
  }

  /** Stops the server (and its sandbox) for good; pending calls fail, later uses too. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const starting = this.starting;
    if (starting) await starting.catch(() => undefined);
    const live = this.live;
    this.live = undefined;
    if (live) await this.end(live);
  }

  private async request<T>(
    what: string,
    options: McpCallOptions,
    run: (client: Client, request: RequestOptions) => Promise<T>,
  ): Promise<T> {
    const live = await this.ensureLive(options.signal);
    const timeoutMs = options.timeoutMs ?? this.options.callTimeoutMs ?? 60_000;
    const request: RequestOptions = {
      timeout: timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress
        ? { onprogress: options.onProgress, resetTimeoutOnProgress: true }
        : {}),
    };
    try {
      const result = await run(live.client, request);
      if (live.failure) throw live.failure;
      return result;
    } catch (error) {
      throw await this.explain(live, what, error as Error, options.signal, timeoutMs);
    }
  }

  private async explain(
    live: Live,
    what: string,
    error: Error,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<McpConnectionError> {
    if (error instanceof McpConnectionError) return error;
    const fail = (failure: McpConnectionError['failure'], message: string, stderr = '') => {
      const explained = new McpConnectionError(this.name, failure, message, stderr);
      if (failure !== 'cancelled') this.lastError = explained.message;
      return explained;
    };
    if (signal?.aborted) return fail('cancelled', `${what} was cancelled`);
    if (live.failure) return live.failure;
    // Closed by us before or while the request went out ("Not connected", "Connection closed").
    if (live.closing || this.closed) {
      return fail('closed', `${what} was stopped: the connection was closed`);
    }
    if (error instanceof McpError && error.code === Number(ErrorCode.RequestTimeout)) {
      return fail(
        'timeout',
        `${what} got no answer within ${seconds(timeoutMs)} and was cancelled`,
      );
    }
    if (error instanceof McpError && error.code === Number(ErrorCode.ConnectionClosed)) {
      await stderrSettled();
      if (live.failure) return live.failure;
      return fail(
        'crash',
        `the server stopped while ${what} was pending; it is started again on the next use`,
        live.stderr.toString(),
      );
    }
    if (error instanceof McpError) return fail('protocol', `${what} failed: ${error.message}`);
    return fail('protocol', `${what}: the answer is not valid MCP (${error.message})`);
  }

  private async ensureLive(signal: AbortSignal | undefined): Promise<Live> {
    if (this.closed) throw this.closedError();
    if (signal?.aborted) {
      throw new McpConnectionError(
        this.name,
        'cancelled',
        'the call was cancelled before it started',
      );
    }
    if (this.live && !this.live.ended && !this.live.failure) return this.live;
    this.starting ??= this.startAfterBackoff().finally(() => (this.starting = undefined));
    try {
      return await unlessAborted(this.starting, signal);
    } catch (error) {
      if (signal?.aborted) {
        throw new McpConnectionError(
          this.name,
          'cancelled',
          'the call was cancelled while the server started',
        );
      }
      throw error;
    }
  }

  private closedError(): McpConnectionError {
    return new McpConnectionError(
      this.name,
      'closed',
      'the connection is closed (OmniPalm is stopping it)',
    );
  }

  /** The wait owed for the failures in a row so far, minus what already passed. */
  private backoffRemaining(): number {
    if (this.failuresInARow === 0) return 0;
    const wait = Math.min(
      this.backoff.initialMs * 2 ** (this.failuresInARow - 1),
      this.backoff.maxMs,
    );
    return Math.max(0, this.lastFailureAt + wait - Date.now());
  }

  private async startAfterBackoff(): Promise<Live> {
    const wasStartedBefore = this.failuresInARow > 0;
    const wait = this.backoffRemaining();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.closed) throw this.closedError();
    const live = await this.start();
    if (wasStartedBefore) this.restarts += 1;
    this.live = live;
    return live;
  }

  private recordFailure(live: Live): void {
    const now = Date.now();
    // A server that ran for a healthy while before it failed starts the waits over.
    if (now - live.startedAt >= this.backoff.healthyMs) this.failuresInARow = 0;
    this.failuresInARow += 1;
    this.lastFailureAt = now;
  }

  private async start(): Promise<Live> {
    const { settings } = this;
    const stderr = new BoundedTail(this.options.stderrLimit);
    let prepared: PreparedLaunch | undefined;
    let transport: Transport;
    if (settings.url) {
      transport = this.httpTransport(settings.url);
    } else if (settings.command) {
      try {
        prepared = await this.options.launcher.prepare(
          { command: settings.command, args: settings.args, cwd: settings.cwd, env: settings.env },
          settings.hosts,
        );
      } catch (error) {
        // No sandbox, no server: never a silent fallback to running it as the user.
        const refused = new McpConnectionError(
          this.name,
          'start',
          `cannot start: ${(error as Error).message}`,
        );
        this.lastError = refused.message;
        throw refused;
      }
      const stdio = new StdioClientTransport({
        command: prepared.launch.command,
        args: prepared.launch.args,
        env: prepared.launch.env,
        stderr: 'pipe',
        ...(prepared.launch.cwd ? { cwd: prepared.launch.cwd } : {}),
      });
      stdio.stderr?.on('data', (chunk: Buffer) => stderr.append(chunk.toString('utf8')));
      transport = stdio;
    } else {
      throw new McpConnectionError(
        this.name,
        'config',
        'set either command (a stdio server) or url (a Streamable HTTP server)',
      );
    }
    const client = new Client({ name: 'omnipalm', version: '0.1.0' }, { capabilities: {} });
    const live: Live = {
      client,
      transport,
      stderr,
      prepared,
      startedAt: Date.now(),
      ended: false,
      closing: false,
    };
    client.onerror = (error) => this.onClientError(live, error);
    const onToolListChanged = this.options.onToolListChanged;
    if (onToolListChanged) {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        onToolListChanged();
      });
    }
    this.started += 1;
    client.onclose = () => this.onClientClose(live);
    const timeoutMs = this.options.initializeTimeoutMs ?? 30_000;
    try {
      await client.connect(transport, { timeout: timeoutMs });
      if (live.failure) throw live.failure;
    } catch (error) {
      await this.end(live, true);
      throw await this.explainStart(live, error as Error, timeoutMs);
    }
    return live;
  }

  private httpTransport(url: string): Transport {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new McpConnectionError(this.name, 'config', `url is not a URL: ${url}`);
    }
    // The server's hosts are the network it may reach: its own address is the first of them.
    const hosts = this.settings.hosts.map((host) => host.replace(/:\d+$/, '').toLowerCase());
    if (!hosts.includes(parsed.hostname.toLowerCase())) {
      throw new McpConnectionError(
        this.name,
        'config',
        `url host ${parsed.hostname} is not in the server's hosts (${hosts.join(', ') || 'none'}); add it to hosts to allow it`,
      );
    }
    // A redirect to another origin would send the call (and its arguments) where nobody
    // configured: the SDK's transport follows same-origin redirects only (tested).
    return new StreamableHTTPClientTransport(parsed, {
      requestInit: { headers: this.settings.headers },
    });
  }

  private async explainStart(
    live: Live,
    error: Error,
    timeoutMs: number,
  ): Promise<McpConnectionError> {
    await stderrSettled();
    const stderr = live.stderr.toString();
    let explained: McpConnectionError;
    if (error instanceof McpConnectionError) explained = error;
    else if (live.failure) explained = live.failure;
    else if (error instanceof McpError && error.code === Number(ErrorCode.RequestTimeout)) {
      explained = new McpConnectionError(
        this.name,
        'initialize_timeout',
        `did not answer initialize within ${seconds(timeoutMs)} (is it an MCP server speaking stdio? check its command and args)`,
        stderr,
      );
    } else if (error instanceof McpError && error.code === Number(ErrorCode.ConnectionClosed)) {
      explained = new McpConnectionError(
        this.name,
        'start',
        'exited before it finished starting',
        stderr,
      );
    } else {
      explained = new McpConnectionError(
        this.name,
        'start',
        `could not be started: ${error.message}`,
        stderr,
      );
    }
    this.lastError = explained.message;
    return explained;
  }

  private onClientError(live: Live, error: Error): void {
    if (live.ended || live.failure || !isParseError(error)) return;
    // A stdio server's stdout is the protocol: a line that is not a message means the server
    // (or something it runs) prints there, and every later answer is suspect.
    live.failure = new McpConnectionError(
      this.name,
      'junk',
      `wrote something that is not an MCP message to stdout (${error.message.slice(0, 200)}); a stdio server must keep stdout for the protocol (logs go to stderr)`,
    );
    this.lastError = live.failure.message;
    void live.transport.close().catch(() => undefined);
  }

  private onClientClose(live: Live): void {
    if (live.ended) return;
    live.ended = true;
    live.prepared?.dispose();
    if (this.live === live) this.live = undefined;
    if (!live.closing) this.recordFailure(live);
  }

  /** Ends a connection: ours to close (`failed` when its start failed, which counts). */
  private async end(live: Live, failed = false): Promise<void> {
    if (!live.ended) {
      live.ended = true;
      live.closing = !failed;
      if (failed) this.recordFailure(live);
    }
    await live.client.close().catch(() => undefined);
    await live.transport.close().catch(() => undefined);
    live.prepared?.dispose();
  }
}
