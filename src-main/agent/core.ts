// The agent's services, composed once per process: configuration, the policy enforcer, the
// audit trail (log + timeline + monitor), secrets and their redactor, and the confirmation
// broker that front doors attach to. The CLI's `omnipalm run`, the headless server and the
// Electron main process all run tasks through this, so each task gets the same checks.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { AuditLog } from '../audit/auditLog.js';
import { auditSettingsFromConfig } from '../audit/auditSettings.js';
import { AuditTrail } from '../audit/auditTrail.js';
import type { AuditEvent } from '../audit/auditEvent.js';
import { Monitor, type Alert } from '../audit/monitor.js';
import { ConfigStore, configFilePath } from '../config/index.js';
import type { OmniPalmConfig, SecretName } from '../config/schema.js';
import { createPolicyEnforcer, createRunBudget, type PolicyEnforcer } from '../policy/index.js';
import { TaskPolicy, type Policy } from '../policy/taskPolicy.js';
import { Redactor } from '../secrets/redactor.js';
import { SecretStore, type Keychain } from '../secrets/secretStore.js';
import { openDatabase } from '../store/database.js';
import { processIsAlive, SessionStore, type SessionSummary } from '../store/sessionStore.js';
import { TimelineStore, timelineDatabaseFile } from '../store/timelineStore.js';
import { emailSend, type EmailToolContext } from '../tools/email/index.js';
import { FS_TOOLS, type FsToolContext } from '../tools/fs/index.js';
import { httpTools, type HttpToolContext } from '../tools/http/index.js';
import {
  resetSandboxRuntime,
  sandboxSettingsFromConfig,
  shellExec,
  ShellSandbox,
  ShellSession,
  type SandboxStatus,
  type ShellLauncher,
  type ShellToolContext,
} from '../tools/shell/index.js';
import type { BrowserSession, BrowserToolContext } from '../tools/browser/index.js';
import {
  contentText,
  McpHub,
  McpHubError,
  type McpReview,
  type McpServerView,
  type McpToolResult,
} from '../tools/mcp/mcpHub.js';
import { AgentError, TaskSetupError } from './agentErrors.js';
import { repairHistory } from './history.js';
import { Sessions, sessionError } from './sessions.js';
import { probeModelEndpoint } from './modelReachability.js';
import { TerminalHub } from './terminalHub.js';
import {
  DEFAULT_MAX_TOKENS,
  runOneTool,
  runTask,
  systemPrompt,
  type TaskOutcome,
  type ToolProgress,
} from './agentLoop.js';
import { contextWindowFor, fitContext } from './contextWindow.js';
import { createAnthropicProvider } from './anthropicProvider.js';
import { ConfirmationBroker } from './confirmationBroker.js';
import { createModelClient } from './modelClient.js';
import { AUTH_FIX, type MessageParam, type ModelProvider } from './modelProvider.js';
import { createOpenAiProvider } from './openaiProvider.js';
import { ToolRegistry, type AgentTool } from './toolRegistry.js';

/** Everything any tool may need; each tool reads its own part. */
export type CoreToolContext = FsToolContext &
  ShellToolContext &
  EmailToolContext &
  HttpToolContext &
  BrowserToolContext;

export interface AgentCoreOptions {
  /** $OMNIPALM_HOME. */
  home: string;
  env: NodeJS.ProcessEnv;
  /** The user's home folder (~ in paths). */
  homeDir?: string;
  keychain?: Keychain;
  /** Every audited event, for live front ends. */
  onEvent?: (event: AuditEvent & { summary: string }) => void;
  onAlert?: (alert: Alert) => void;
}

export interface CoreTaskOptions {
  /** Where relative paths resolve and the shell starts; must be inside an allowed path. */
  cwd?: string;
  onText?: (text: string) => void;
  onTool?: (progress: ToolProgress) => void;
  /** The user's Stop: aborts the model request and the running tool. */
  signal?: AbortSignal;
  /** From provider(), when the caller checked the setup first. */
  provider?: ModelProvider;
  /**
   * The session to continue: its earlier turns are the context, its untrusted content still
   * makes outbound actions ask, its cost counts against the limit. Absent: a new session.
   */
  sessionId?: string;
  /** Called once the turn exists, before the first model request. */
  onStart?: (turn: TurnStart) => void;
}

export interface TurnStart {
  taskId: string;
  sessionId: string;
  /** 1, 2, 3 … within the session. */
  turnSeq: number;
}

export type CoreTaskOutcome = TaskOutcome &
  TurnStart & {
    /** The session's cost so far, this turn included. */
    sessionCostUsd: number;
    /** Where untrusted content entered the session, this turn included. */
    untrustedSources: string[];
  };

/**
 * The abort reason of a quit (the app closes while a turn runs): the turn is marked
 * interrupted, not stopped by the user, and the session goes on after it.
 */
export const QUIT_REASON = 'omnipalm-quit';

/** What an MCP tool needs of its task: the policy and the stop signal. */
type McpCallContext = { enforcer: Policy; signal?: AbortSignal };

/** The end of one `omnipalm mcp call` (or the window's): what the model would have seen. */
export interface McpCallOutcome {
  status: 'ok' | 'denied' | 'error';
  /** The result's text, or why it was refused or failed. */
  text: string;
  result?: McpToolResult;
  taskId: string;
}

export { TaskSetupError };

/**
 * The tools offered for a configuration: a switched-off capability is not even offered (the
 * policy would deny it anyway). The browser tools load Playwright, so only when enabled.
 */
export async function toolsFor(config: OmniPalmConfig): Promise<AgentTool<CoreToolContext>[]> {
  const tools: AgentTool<CoreToolContext>[] = [];
  const { integrations } = config;
  if (integrations.filesystem.enabled) tools.push(...FS_TOOLS);
  if (integrations.terminal.enabled) tools.push(shellExec);
  if (integrations.email.enabled) tools.push(emailSend);
  for (const tool of httpTools) {
    const family = tool.name.split('.')[0];
    if (family === 'http' && integrations.network.enabled) tools.push(tool);
    if (family === 'jira' && integrations.jira.enabled) tools.push(tool);
    if (family === 'slack' && integrations.slack.enabled) tools.push(tool);
  }
  if (integrations.browser.enabled) {
    const { browserTools } = await import('../tools/browser/index.js');
    tools.push(...browserTools);
  }
  return tools;
}

/** The task's browser (it starts on first use), when the browser is enabled. */
async function browserSessionFor(
  config: OmniPalmConfig,
  policy: TaskPolicy,
  secrets: Iterable<string>,
): Promise<BrowserSession | undefined> {
  if (!config.integrations.browser.enabled) return undefined;
  const { BrowserSession } = await import('../tools/browser/index.js');
  return new BrowserSession({
    policy,
    executablePath: config.integrations.browser.executable_path,
    secrets,
  });
}

/**
 * What a task runs under, built from one reading of config.yaml: the policy enforcer and the
 * shell sandbox. A changed config.yaml gives new tasks a new setup; running tasks keep theirs,
 * which closes once the last of them ends.
 */
interface CoreSetup {
  readonly config: OmniPalmConfig;
  readonly enforcer: PolicyEnforcer;
  readonly closeEnforcer: () => void;
  /** What shell sessions run in (the OS sandbox, or why not). */
  readonly sandbox: SandboxStatus;
  readonly launcher: ShellLauncher | undefined;
  users: number;
  retired: boolean;
}

async function buildSetup(
  config: OmniPalmConfig,
  home: string,
  homeDir: string,
): Promise<CoreSetup> {
  const { status: sandbox, launcher } = await prepareSandbox(config, homeDir, home);
  const policy = await createPolicyEnforcer({
    config,
    omnipalmHome: home,
    homeDir,
    // A read-only shell is only allowed where the sandbox really makes it read-only.
    sandboxCanMakeReadOnly: sandbox.sandboxed,
  });
  return {
    config,
    enforcer: policy.enforcer,
    closeEnforcer: policy.close,
    sandbox,
    launcher,
    users: 0,
    retired: false,
  };
}

export class AgentCore {
  private closed = false;
  /** The tasks' shell sessions, for the UI's terminal view (live output, resize, the user's input). */
  readonly terminals: TerminalHub;
  /** Serializes re-reading config.yaml. */
  private refreshing: Promise<unknown> = Promise.resolve();

  private constructor(
    private setup: CoreSetup,
    /** The configuration at start-up: the restart-only settings (restartKeys.ts) stay as in it. */
    readonly openedWith: OmniPalmConfig,
    /** The monitor reads its settings through this, so a reload reaches it. */
    private readonly live: { config: OmniPalmConfig },
    readonly home: string,
    private readonly homeDir: string,
    readonly broker: ConfirmationBroker,
    readonly trail: AuditTrail,
    readonly secrets: SecretStore,
    private readonly redactor: Redactor,
    private readonly heldSecrets: Map<string, string>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly closers: (() => void)[],
    /** The conversations, on the timeline's connection. */
    readonly sessions: Sessions,
  ) {
    this.terminals = new TerminalHub({ audit: (event) => this.trail.record(event) });
    this.mcp = new McpHub({
      home,
      homeDir,
      resolveSecret: (name) => this.secretValue(name as SecretName),
      redact: (value) => redactor.redactValue(value),
      audit: (event) => this.trail.record(event),
    });
  }

  /** The MCP servers: started on first use, stopped by close(). */
  readonly mcp: McpHub;

  /** Every configured MCP server and where its review stands; starts none. */
  async mcpServers(): Promise<McpServerView[]> {
    await this.refreshConfig();
    return this.mcp.servers(this.config);
  }

  /** Starts the server (sandboxed) and lists its tools against what was approved. */
  async reviewMcpServer(name: string, options: { signal?: AbortSignal } = {}): Promise<McpReview> {
    await this.refreshConfig();
    return this.mcp.review(this.config, name, options);
  }

  /** Pins the server's tools; with `listing`, only if they are still what the review showed. */
  async approveMcpServer(
    name: string,
    options: { listing?: string | undefined; signal?: AbortSignal } = {},
  ): Promise<McpReview> {
    await this.refreshConfig();
    return this.mcp.approve(this.config, name, options);
  }

  /**
   * One MCP tool call on the agent's path: the policy (the tool's rule, rate limit, read-only,
   * untrusted content), a confirmation through the broker, the audit log, redaction.
   */
  async callMcpTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    options: { signal?: AbortSignal; onTool?: (progress: ToolProgress) => void } = {},
  ): Promise<McpCallOutcome> {
    if (this.closed) {
      throw new AgentError('shutting_down', 'the agent is shutting down; no new calls');
    }
    await this.refreshConfig();
    const setup = this.setup;
    const { config } = setup;
    const taskId = randomUUID();
    const servers = config.integrations.mcp.servers;
    if (!Object.hasOwn(servers, server)) {
      const known = Object.keys(servers);
      throw new McpHubError(
        'mcp_server_unknown',
        `no MCP server named ${JSON.stringify(server)} is configured (${known.length ? `configured: ${known.join(', ')}` : 'none is'}); add it under integrations.mcp.servers in config.yaml`,
      );
    }
    // The server must exist and be on; an unapproved tool is not offered at all.
    const offered = this.mcp.agentToolFor<McpCallContext>(config, server, tool);
    if (!offered) {
      if (!config.integrations.mcp.enabled) {
        throw new McpHubError(
          'mcp_disabled',
          'MCP servers are disabled; enable them with: omnipalm config set integrations.mcp.enabled true',
        );
      }
      if (!servers[server]!.enabled) {
        throw new McpHubError(
          'mcp_server_disabled',
          `MCP server ${server} is disabled; set enabled: true under integrations.mcp.servers.${server}`,
        );
      }
      throw new McpHubError(
        'mcp_tool_not_approved',
        `MCP server ${server} has no approved tool ${JSON.stringify(tool)}; review and approve its tools first: omnipalm mcp approve ${server}`,
      );
    }
    setup.users += 1;
    const policy = new TaskPolicy(setup.enforcer, {
      guardUntrusted: config.security.untrusted_content_guard,
      canConfirm: () => this.broker.hasFrontDoor(),
    });
    const budget = createRunBudget(config);
    const stop = () => budget.abort('stopped by the user');
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.signal?.aborted) stop();
    try {
      const { result, refused } = await runOneTool<McpCallContext>(
        {
          command: `mcp call ${server} ${tool}`,
          registry: new ToolRegistry([offered]),
          toolContext: { enforcer: policy },
          policy,
          broker: this.broker,
          budget,
          audit: this.trail,
          taskId,
          ...(options.onTool ? { onTool: options.onTool } : {}),
        },
        { name: offered.modelName, input: args },
      );
      const content = typeof result.content === 'string' ? result.content : '';
      if (result.is_error) {
        return {
          status: refused.length > 0 ? 'denied' : 'error',
          text: this.redactor.redact(content),
          taskId,
        };
      }
      const shaped = unwrapResult(content);
      return { status: 'ok', text: contentText(shaped.content), result: shaped, taskId };
    } finally {
      options.signal?.removeEventListener('abort', stop);
      setup.users -= 1;
      if (setup.retired && setup.users === 0) setup.closeEnforcer();
    }
  }

  /** The configuration new tasks run under (config.yaml as of the last task start). */
  get config(): OmniPalmConfig {
    return this.setup.config;
  }

  /** What new tasks' shell sessions run in. */
  get sandbox(): SandboxStatus {
    return this.setup.sandbox;
  }

  private get enforcer(): PolicyEnforcer {
    return this.setup.enforcer;
  }

  static async open(options: AgentCoreOptions): Promise<AgentCore> {
    const { home, env } = options;
    const config = new ConfigStore(home).load();
    const closers: (() => void)[] = [];
    const redactor = new Redactor();
    const heldSecrets = new Map<string, string>();
    const secrets = new SecretStore({
      home,
      env,
      commands: config.secrets,
      redactor: {
        registerSecret: (name, value) => {
          redactor.registerSecret(name, value);
          heldSecrets.set(name, value);
        },
      },
      ...(options.keychain ? { keychain: options.keychain } : {}),
    });
    const homeDir = options.homeDir ?? os.homedir();
    const setup = await buildSetup(config, home, homeDir);
    try {
      const log = new AuditLog({
        settings: auditSettingsFromConfig(config, home),
        redact: (text) => redactor.redact(text),
      });
      closers.push(() => log.close());
      const db = openDatabase(timelineDatabaseFile(home));
      closers.push(() => db.close());
      const sessions = new Sessions(new SessionStore(db));
      // Turns a crash cut off (their process is gone) end as interrupted; their sessions go on.
      sessions.store.markInterrupted(processIsAlive);
      const live = { config };
      const trail = new AuditTrail({
        log,
        monitor: new Monitor({ settings: () => live.config.monitoring }),
        redactor,
        timeline: new TimelineStore(db),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.onAlert ? { onAlert: options.onAlert } : {}),
      });
      const broker = new ConfirmationBroker({
        timeoutMs: config.agent.confirmation_timeout * 1000,
      });
      return new AgentCore(
        setup,
        config,
        live,
        home,
        homeDir,
        broker,
        trail,
        secrets,
        redactor,
        heldSecrets,
        env,
        closers,
        sessions,
      );
    } catch (error) {
      for (const close of closers.reverse()) close();
      setup.closeEnforcer();
      throw error;
    }
  }

  /**
   * Reads config.yaml again; when it changed (the settings view, `omnipalm config set`, an
   * edit), new tasks get a new policy enforcer and sandbox built from it. True when it changed.
   * A file that no longer validates is an error: no task starts under rules nobody can read.
   */
  refreshConfig(): Promise<boolean> {
    const next = this.refreshing.then(() => this.applyConfigFromDisk());
    this.refreshing = next.catch(() => undefined);
    return next;
  }

  /** config.yaml's bytes as last loaded (null: no file): the same bytes give the same config. */
  private loadedBytes: Buffer | null | undefined;

  private async applyConfigFromDisk(): Promise<boolean> {
    if (this.closed) return false;
    // Unchanged bytes, unchanged config: skip the parse and validation (~4 ms), which every
    // task start and every `mcp call` would otherwise pay. Read before the load, so a change
    // made during it is seen by the next refresh.
    let bytes: Buffer | null;
    try {
      bytes = fs.readFileSync(configFilePath(this.home));
    } catch {
      bytes = null;
    }
    const same =
      this.loadedBytes !== undefined &&
      (bytes === null ? this.loadedBytes === null : this.loadedBytes?.equals(bytes) === true);
    if (same) return false;
    let config: OmniPalmConfig;
    try {
      config = new ConfigStore(this.home).load();
    } catch (error) {
      throw new TaskSetupError(
        'invalid_config',
        `${(error as Error).message} — fix config.yaml (omnipalm config validate); no task starts until it is valid`,
      );
    }
    this.loadedBytes = bytes;
    if (JSON.stringify(config) === JSON.stringify(this.setup.config)) return false;
    const setup = await buildSetup(config, this.home, this.homeDir);
    if (this.closed) {
      setup.closeEnforcer();
      return false;
    }
    const previous = this.setup;
    this.setup = setup;
    this.live.config = config;
    this.broker.setTimeoutMs(config.agent.confirmation_timeout * 1000);
    previous.retired = true;
    if (previous.users === 0) previous.closeEnforcer();
    this.trail.record({
      kind: 'config',
      name: 'applied',
      text: 'config.yaml changed: new tasks run under the saved settings',
      fields: { by: 'system' },
    });
    return true;
  }

  /** The model provider of llm.*, with its key from the SecretStore. */
  provider(): ModelProvider {
    const { llm } = this.config;
    const baseURL = this.baseURL();
    if (llm.provider === 'openai-compatible') {
      if (!baseURL) {
        throw new TaskSetupError(
          'model_endpoint_invalid',
          'llm.provider is openai-compatible but no endpoint is set; set one with: omnipalm config set llm.base_url http://127.0.0.1:11434/v1',
        );
      }
      const key = this.secretValue('llm_api_key');
      return createOpenAiProvider({
        baseURL,
        model: llm.model,
        redactor: this.redactor,
        ...(key ? { apiKey: key } : {}),
      });
    }
    const apiKey = this.secretValue('llm_api_key');
    if (!apiKey)
      throw new TaskSetupError('missing_model_key', `no model API key is set: ${AUTH_FIX}`);
    const client = createModelClient({
      apiKey,
      redactor: this.redactor,
      ...(baseURL ? { baseURL } : {}),
    });
    return createAnthropicProvider(client, llm.model);
  }

  /**
   * Rejects with TaskSetupError (model_unreachable) when nothing answers at the configured
   * model address. Only a configured llm.base_url / OMNIPALM_LLM_BASE_URL is probed: that is
   * the user's own server (Ollama, a proxy), where "not running" is a setup problem to report
   * before the task starts; the default cloud API is left to the task's own retries.
   */
  async checkModelReachable(): Promise<void> {
    const baseURL = this.baseURL();
    if (baseURL) await probeModelEndpoint(baseURL);
  }

  /** Runs one task to its end; never throws for what happens inside the task. */
  async runTask(prompt: string, options: CoreTaskOptions = {}): Promise<CoreTaskOutcome> {
    if (this.closed) {
      throw new AgentError('shutting_down', 'the agent is shutting down; no new tasks');
    }
    // An unknown or busy session is the caller's error, before anything runs.
    if (options.sessionId !== undefined) this.checkSessionCanContinue(options.sessionId);
    await this.refreshConfig();
    // This task's rules for its whole run, even if config.yaml changes meanwhile.
    const setup = this.setup;
    setup.users += 1;
    try {
      return await this.runUnder(setup, prompt, options);
    } finally {
      setup.users -= 1;
      if (setup.retired && setup.users === 0) setup.closeEnforcer();
    }
  }

  /** Throws AgentError session_not_found / session_busy when a turn cannot start in it. */
  checkSessionCanContinue(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (session.runningTurnId !== undefined && this.runningTurns.has(session.runningTurnId)) {
      throw new AgentError(
        'session_busy',
        `session ${sessionId}: its previous turn is still running; stop it or wait for it to end before sending another prompt`,
      );
    }
  }

  /** The turns this process runs now (a turn of another live process is the store's to refuse). */
  private readonly runningTurns = new Set<number>();

  private async runUnder(
    setup: CoreSetup,
    prompt: string,
    options: CoreTaskOptions,
  ): Promise<CoreTaskOutcome> {
    const provider = options.provider ?? this.provider();
    const cwd = this.taskFolder(options.cwd);
    const taskId = randomUUID();
    const { store } = this.sessions;
    let session: SessionSummary;
    let turnId: number;
    try {
      session =
        options.sessionId === undefined
          ? store.createSession(prompt)
          : this.sessions.get(options.sessionId);
      turnId = store.startTurn(session.id, prompt, { taskId });
    } catch (error) {
      throw sessionError(error);
    }
    this.runningTurns.add(turnId);
    const sessionId = session.id;
    let turnStatus: 'interrupted' | undefined;
    let outcome: TaskOutcome | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.runningTurns.delete(turnId);
      try {
        store.finishTurn(turnId, turnStatus ?? outcome?.status ?? 'error', outcome?.costUsd ?? 0);
      } catch {
        // Already ended (the session was deleted meanwhile): nothing left to record.
      }
      this.sessions.changed(sessionId);
    };
    try {
      const turnSeq = store.turnsPage(sessionId, undefined, 1).turns.at(-1)?.seq ?? 1;
      this.sessions.changed(sessionId);
      // What the model saw of the earlier turns, made valid if a crash cut one off.
      const history = repairHistory(store.contextMessages(sessionId) as MessageParam[]);
      options.onStart?.({ taskId, sessionId, turnSeq });
      outcome = await this.runTurn(setup, prompt, options, {
        provider,
        cwd,
        taskId,
        session,
        turnId,
        history,
        onQuit: () => (turnStatus = 'interrupted'),
      });
      finish();
      const after = this.sessions.get(sessionId);
      return {
        ...outcome,
        ...(outcome.error === undefined ? {} : { error: this.redactor.redact(outcome.error) }),
        taskId,
        sessionId,
        turnSeq,
        sessionCostUsd: after.costUsd,
        untrustedSources: after.untrustedSources,
      };
    } finally {
      finish();
    }
  }

  private async runTurn(
    setup: CoreSetup,
    prompt: string,
    options: CoreTaskOptions,
    turn: {
      provider: ModelProvider;
      cwd: string;
      taskId: string;
      session: SessionSummary;
      turnId: number;
      history: MessageParam[];
      onQuit: () => void;
    },
  ): Promise<TaskOutcome> {
    const { config } = setup;
    const { provider, cwd, taskId, session, turnId } = turn;
    const { store } = this.sessions;
    const policy = new TaskPolicy(setup.enforcer, {
      guardUntrusted: config.security.untrusted_content_guard,
      canConfirm: () => this.broker.hasFrontDoor(),
      // Untrusted content read in an earlier turn still guards this one: a new session clears it.
      initialSources: session.untrustedSources,
      onUntrusted: (source) => {
        store.addUntrustedSources(session.id, [source]);
        this.sessions.changed(session.id);
      },
    });
    const held = this.heldSecrets;
    const secretValues = { [Symbol.iterator]: () => held.values() };
    const shell = new ShellSession({
      cwd,
      env: this.env,
      secrets: secretValues,
      launcher: setup.launcher,
    });
    const terminalId = config.integrations.terminal.enabled
      ? this.terminals.register(shell, { taskId, conversation: session.id })
      : undefined;
    const browser = await browserSessionFor(config, policy, secretValues);
    // MCP tools as approved (their servers start when the model first calls one).
    const tools = [...(await toolsFor(config)), ...this.mcp.agentTools<CoreToolContext>(config)];
    if (config.integrations.terminal.enabled && setup.sandbox.warning) {
      this.trail.record({
        kind: 'alert',
        level: 'WARN',
        name: 'sandbox',
        text: setup.sandbox.warning,
        taskId,
        sessionId: session.id,
      });
    }
    // The cost limit bounds the session: its earlier turns' cost counts.
    const budget = createRunBudget(config, provider.model, session.costUsd);
    const stop = () => {
      if (options.signal?.reason === QUIT_REASON) {
        turn.onQuit();
        budget.abort('interrupted: OmniPalm quit during this turn; continue the session to go on');
      } else {
        budget.abort('stopped by the user');
      }
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.signal?.aborted) stop();
    try {
      // The shell starts now, while the model thinks about its first turn, so the first command
      // does not wait ~0.4 s for the sandbox: only for a task that is offered shell.exec, and
      // only now that its policy and sandbox exist. A start that fails (security.sandbox
      // required and no sandbox) is the first command's error, as without the warm start.
      if (tools.some((tool) => tool.name === shellExec.name)) shell.warmUp();
      const registry = new ToolRegistry(tools);
      const system = systemPrompt({ cwd, allowedPaths: config.security.allowed_paths });
      const contextWindow = contextWindowFor(config, provider.model);
      const outcome = await runTask<CoreToolContext>({
        prompt,
        provider,
        registry,
        toolContext: {
          enforcer: policy,
          cwd,
          shell,
          onSandboxViolation: (violation, command) =>
            this.trail.record({
              kind: 'error',
              level: 'WARN',
              name: 'shell.exec',
              text: `sandbox blocked ${violation.kind}: ${violation.line}`,
              taskId,
              sessionId: session.id,
              tool: 'shell.exec',
              status: 'sandbox_violation',
              fields: {
                sandbox_violation: violation.kind,
                ...(violation.path ? { path: violation.path } : {}),
                command,
              },
            }),
          email: config.integrations.email,
          integrations: config.integrations,
          resolveSecret: (name) => this.secretValue(name),
          // Never undefined when a browser tool is offered (both follow browser.enabled).
          browser: browser as BrowserSession,
        },
        policy,
        broker: this.broker,
        budget,
        audit: this.trail,
        taskId,
        sessionId: session.id,
        history: turn.history,
        // A long session is cut to the model's window (contextWindow.ts), never its prompt.
        prepareMessages: (messages, currentStart) =>
          fitContext({
            system,
            tools: registry.definitions(),
            messages,
            currentStart,
            maxTokens: DEFAULT_MAX_TOKENS,
            contextWindow,
          }),
        // Stored as sent: redacted, so a session never keeps a raw secret (sessionStore.ts).
        onMessage: (message) =>
          store.appendMessages(turnId, [
            {
              role: message.role === 'assistant' ? 'assistant' : 'user',
              content: this.redactor.redactValue(message.content),
            },
          ]),
        system,
        ...(options.onText ? { onText: options.onText } : {}),
        ...(options.onTool ? { onTool: options.onTool } : {}),
      });
      return outcome;
    } finally {
      options.signal?.removeEventListener('abort', stop);
      // Also when the task ended during the warm start: no bash, no set-up left running.
      await shell.close();
      if (terminalId !== undefined) this.terminals.unregister(terminalId);
      await browser?.close();
    }
  }

  /** Closes the stores and stops the sandbox's network proxies (they keep a process alive). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.refreshing;
    // The servers stop with the app: no sandbox or server process outlives it.
    await this.mcp.close();
    for (const close of this.closers.reverse()) close();
    this.setup.retired = true;
    if (this.setup.users === 0) this.setup.closeEnforcer();
    await resetSandboxRuntime();
  }

  private baseURL(): string | undefined {
    const fromEnv = this.env.OMNIPALM_LLM_BASE_URL;
    if (fromEnv === undefined || fromEnv === '') return this.config.llm.base_url;
    let url: URL | undefined;
    try {
      url = new URL(fromEnv);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new TaskSetupError(
        'model_endpoint_invalid',
        `OMNIPALM_LLM_BASE_URL must be an http(s) URL, got ${JSON.stringify(fromEnv)} (unset it to use llm.base_url)`,
      );
    }
    return fromEnv;
  }

  private secretValue(name: SecretName): string | undefined {
    let resolved;
    try {
      resolved = this.secrets.resolve(name);
    } catch (error) {
      throw new TaskSetupError('secret_unavailable', `${name}: ${(error as Error).message}`);
    }
    return resolved.source === 'missing' ? undefined : resolved.value;
  }

  /**
   * The given folder if the policy allows it, else the first allowed path that exists. With
   * `strict` (the user named the folder), a folder the policy does not allow is an error.
   */
  taskFolder(requested: string | undefined, options: { strict?: boolean } = {}): string {
    const guard = this.enforcer.pathGuard;
    if (requested !== undefined) {
      const verdict = guard.judge(requested);
      if (verdict.kind === 'allowed' && isFolder(verdict.realPath)) return verdict.realPath;
      if (options.strict) {
        throw new TaskSetupError(
          verdict.kind === 'allowed' ? 'not_a_folder' : 'folder_not_allowed',
          verdict.kind === 'allowed'
            ? `${requested} is not a folder; give an existing folder`
            : `${requested} is not inside security.allowed_paths (${this.config.security.allowed_paths.join(', ')}); pick a folder inside one, or add it with omnipalm config set security.allowed_paths`,
        );
      }
    }
    for (const allowed of this.config.security.allowed_paths) {
      const verdict = guard.judge(allowed);
      if (verdict.kind === 'allowed' && isFolder(verdict.realPath)) return verdict.realPath;
    }
    throw new TaskSetupError(
      'no_allowed_folder',
      `none of security.allowed_paths exists as a folder (${this.config.security.allowed_paths.join(', ')}); create one (e.g. mkdir -p ~/projects) or set the list with: omnipalm config set security.allowed_paths '["~/work"]'`,
    );
  }
}

/** The shell's sandbox; `required` without one gives a launcher that refuses (fail closed). */
async function prepareSandbox(
  config: OmniPalmConfig,
  homeDir: string,
  omnipalmHome: string,
): Promise<{ status: SandboxStatus; launcher: ShellLauncher | undefined }> {
  try {
    const sandbox = await ShellSandbox.prepare(
      sandboxSettingsFromConfig(config, { homeDir, omnipalmHome }),
    );
    return { status: sandbox.status, launcher: sandbox.launcher() };
  } catch (error) {
    const message = (error as Error).message;
    return {
      status: {
        sandboxed: false,
        mode: config.security.sandbox,
        detail: message,
        warning: message,
      },
      launcher: { sandboxed: true, wrap: () => Promise.reject(new Error(message)) },
    };
  }
}

/** The tool's result out of the wrapper the model would see (agentLoop's wrapUntrusted). */
function unwrapResult(wrapped: string): McpToolResult {
  const json = wrapped.replace(/^<tool_result[^>]*>\n/, '').replace(/\n<\/tool_result>$/, '');
  return JSON.parse(json) as McpToolResult;
}

function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
