// PolicyEnforcer.decide — the single authority for "may this happen?". Order: capability
// switch → read_only → blocked paths → allowed paths → rate limits → confirmation rules.
// Deny beats ask beats allow; any error inside denies (fail closed).
import type { OmniPalmConfig, Operation } from '../config/schema.js';
import {
  hostAllowed,
  integrationHosts,
  HTTP_METHODS,
  parseHttpUrl,
  recipientProblem,
  SAFE_METHODS,
} from './networkRules.js';
import { PathGuard } from './pathGuard.js';
import { RATE_LIMIT_CONFIG_KEYS, type RateCategory, type RateLimitResult } from './rateLimiter.js';
import { staysLocal } from './shell/programNames.js';
import type { ShellAnalysis, ShellAnalyzer, UnknownPart } from './shellAnalysis.js';
import type {
  DecisionContext,
  PathOperation,
  PolicyDecision,
  PolicyOperation,
  McpOperation,
  Risk,
  ShellClassification,
  ShellOperationRequest,
} from './types.js';

export interface RateLimits {
  tryAcquire(category: RateCategory): RateLimitResult;
  peek(category: RateCategory): RateLimitResult;
}

export interface PolicyEnforcerOptions {
  config: OmniPalmConfig;
  homeDir: string;
  omnipalmHome: string;
  shellAnalyzer: Pick<ShellAnalyzer, 'analyze'>;
  rateLimits: RateLimits;
  /** Whether the shell sandbox can make the whole file system read-only (for read_only). */
  sandboxCanMakeReadOnly: boolean;
  /**
   * Whether shell commands run in the OS sandbox (default: sandboxCanMakeReadOnly). Then a
   * read or write whose path is only known when the command runs needs no confirmation: the
   * sandbox keeps it inside the allowed paths and away from blocked ones.
   */
  shellSandboxed?: boolean;
  platform?: NodeJS.Platform;
}

const CAPABILITY: Record<Operation, keyof OmniPalmConfig['integrations']> = {
  read: 'filesystem',
  write: 'filesystem',
  delete: 'filesystem',
  list: 'filesystem',
  execute_shell: 'terminal',
  deploy: 'terminal',
  send_email: 'network',
  http_request: 'network',
  browser: 'browser',
  mcp_call: 'mcp',
};

const RISK: Record<Operation, Risk> = {
  read: 'low',
  list: 'low',
  write: 'medium',
  delete: 'high',
  execute_shell: 'high',
  deploy: 'high',
  send_email: 'medium',
  http_request: 'medium',
  browser: 'high',
  // A third party's program or endpoint, doing whatever its tool does.
  mcp_call: 'high',
};

const RATE_CATEGORY: Record<Operation, RateCategory> = {
  read: 'file_operations',
  write: 'file_operations',
  delete: 'file_operations',
  list: 'file_operations',
  execute_shell: 'shell_commands',
  deploy: 'shell_commands',
  send_email: 'emails',
  http_request: 'api_calls',
  browser: 'api_calls',
  mcp_call: 'mcp_calls',
};

/** The first half of every untrusted-content ask (TaskPolicy names the sources after it). */
export const UNTRUSTED_ENTERED =
  'untrusted content (a document, email, web page or command output) entered this task';

/** A finished answer, thrown to end the checks early (a deny) — never escapes decide(). */
class Verdict {
  constructor(readonly decision: PolicyDecision) {}
}

interface PathTarget {
  input: string;
  cwd: string | undefined;
  mode: 'read' | 'change' | 'delete';
  /** Shell commands may read outside the allowed paths (not blocked ones). */
  outsideReadable?: boolean;
  /** For a shell command's word: who does what with it ("written by cp"), named in a denial. */
  by?: string;
}

/** The verdict's reason with who uses the word after the quoted word: `"x" (read by cat) is …`. */
function namedReason(reason: string, by: string | undefined): string {
  if (by === undefined) return reason;
  const quoted = /^"(?:[^"\\]|\\.)*"/.exec(reason);
  return quoted ? `${quoted[0]} (${by})${reason.slice(quoted[0].length)}` : `${reason} (${by})`;
}

interface Draft {
  operation: Operation;
  risk: Risk;
  operations: Set<Operation>;
  details: string[];
  asks: { reason: string; rule: string }[];
  /** Sends data out (email, http, browser, shell with network): guarded after untrusted input. */
  outbound: boolean;
  /**
   * Programs of a shell command that could open connections themselves (an interpreter, an
   * unknown binary): not outbound for the capability switch, but after untrusted content a
   * script the model wrote could send what it read, so they ask then.
   */
  mayReachOut: string[];
  /** A shell command's classification, for the decision (policy check --json, previews). */
  shell: ShellClassification;
}

export class PolicyEnforcer {
  readonly pathGuard: PathGuard;

  constructor(private readonly options: PolicyEnforcerOptions) {
    const { security } = options.config;
    this.pathGuard = new PathGuard({
      allowed: security.allowed_paths,
      blocked: security.blocked_paths,
      trusted: security.trusted_paths,
      homeDir: options.homeDir,
      omnipalmHome: options.omnipalmHome,
      ...(options.platform ? { platform: options.platform } : {}),
    });
  }

  decide(operation: PolicyOperation, context: DecisionContext = {}): PolicyDecision {
    try {
      return this.decideOrThrow(operation, context);
    } catch (error) {
      if (error instanceof Verdict) return error.decision;
      return {
        decision: 'deny',
        reason: `the policy check failed, so the action is denied: ${(error as Error).message}`,
        risk: 'high',
        rule: 'policy.internal_error',
      };
    }
  }

  private decideOrThrow(operation: PolicyOperation, context: DecisionContext): PolicyDecision {
    const kind = operation?.op;
    if (!kind || !(kind in CAPABILITY)) {
      return this.denyNow(
        'input',
        `unknown operation ${JSON.stringify(kind)} (expected one of ${Object.keys(CAPABILITY).join(', ')})`,
        'high',
      );
    }
    const draft: Draft = {
      operation: kind,
      risk: RISK[kind],
      operations: new Set([kind]),
      details: [],
      asks: [],
      outbound: false,
      mayReachOut: [],
      shell: { programs: [], operations: [], unknown: [] },
    };
    this.checkCapability(draft, CAPABILITY[kind]);
    switch (operation.op) {
      case 'read':
      case 'write':
      case 'delete':
      case 'list':
        this.checkPaths(draft, operation);
        break;
      case 'execute_shell':
      case 'deploy':
        this.checkShell(draft, operation);
        break;
      case 'send_email':
        this.checkEmail(draft, operation.recipients);
        break;
      case 'http_request':
        this.checkHttp(draft, operation.method, operation.url);
        break;
      case 'browser':
        this.checkBrowser(draft, operation.url);
        break;
      case 'mcp_call':
        this.checkMcp(draft, operation);
        break;
    }
    this.checkRateLimit(draft, context);
    this.checkConfirmation(draft, context);
    return this.finish(draft, context);
  }

  private denyNow(rule: string, reason: string, risk: Risk, draft?: Draft): never {
    throw new Verdict({
      decision: 'deny',
      reason,
      risk,
      rule,
      ...(draft ? { operations: [...draft.operations], details: draft.details } : {}),
    });
  }

  private checkCapability(draft: Draft, capability: keyof OmniPalmConfig['integrations']): void {
    if (this.options.config.integrations[capability].enabled) return;
    this.denyNow(
      `integrations.${capability}.enabled`,
      `${capability} access is disabled; enable it with: omnipalm config set integrations.${capability}.enabled true`,
      draft.risk,
      draft,
    );
  }

  private checkReadOnly(draft: Draft, what: string): void {
    if (!this.options.config.security.read_only) return;
    this.denyNow(
      'security.read_only',
      `read-only mode forbids ${what}; turn it off with: omnipalm config set security.read_only false`,
      draft.risk,
      draft,
    );
  }

  /**
   * Judges every path an operation names, in the policy's order across all of them: an
   * invalid or blocked path anywhere denies before an outside one does, so the reason names
   * the rule that matters most.
   */
  private judgePaths(draft: Draft, targets: PathTarget[]): void {
    const judged = targets.map((target) => ({
      ...target,
      verdict: this.pathGuard.judge(target.input, target.cwd),
    }));
    for (const { verdict, by } of judged) {
      if (verdict.kind === 'invalid')
        this.denyNow(
          'input',
          `invalid path: ${namedReason(verdict.reason, by)}`,
          draft.risk,
          draft,
        );
    }
    for (const { verdict, by } of judged) {
      if (verdict.kind !== 'blocked') continue;
      const builtin = verdict.rule === this.options.omnipalmHome || verdict.rule === '/proc';
      this.denyNow(
        builtin ? 'builtin.blocked_paths' : 'security.blocked_paths',
        `${namedReason(verdict.reason, by)}: blocked paths are never touched`,
        draft.risk,
        draft,
      );
    }
    for (const { input, mode, verdict } of judged) {
      if (mode === 'delete' && verdict.kind === 'allowed' && verdict.containsBlocked) {
        this.denyNow(
          'security.blocked_paths',
          `${input} contains blocked path ${verdict.containsBlocked}: blocked paths are never touched`,
          draft.risk,
          draft,
        );
      }
    }
    for (const { mode, outsideReadable, verdict, by } of judged) {
      // A shell command may read system files (its sandbox allows that); only blocked paths are off limits.
      if (verdict.kind !== 'outside' || (mode === 'read' && outsideReadable)) continue;
      this.denyNow(
        'security.allowed_paths',
        `${namedReason(verdict.reason, by)}; add its folder to security.allowed_paths to allow it`,
        draft.risk,
        draft,
      );
    }
    for (const { mode, verdict } of judged) {
      if (verdict.kind === 'allowed' || verdict.kind === 'outside') {
        draft.details.push(
          `${mode === 'read' ? 'reads' : mode === 'delete' ? 'deletes' : 'writes'} ${verdict.realPath}`,
        );
      }
    }
  }

  private checkPaths(draft: Draft, operation: PathOperation): void {
    if (operation.op === 'write' || operation.op === 'delete')
      this.checkReadOnly(draft, `${operation.op} operations`);
    if (!Array.isArray(operation.paths) || operation.paths.length === 0) {
      this.denyNow('input', `${operation.op} needs at least one path`, draft.risk, draft);
    }
    const mode =
      operation.op === 'delete' ? 'delete' : operation.op === 'write' ? 'change' : 'read';
    this.judgePaths(
      draft,
      operation.paths.map((input) => ({ input, cwd: operation.cwd, mode })),
    );
  }

  private checkShell(draft: Draft, operation: ShellOperationRequest): void {
    const analysis: ShellAnalysis = this.options.shellAnalyzer.analyze(operation.command);
    draft.details.push(`$ ${operation.command}`);
    if (analysis.ok) {
      draft.shell.programs = [...new Set(analysis.commands.map((command) => command.program))];
      draft.shell.operations = analysis.operations.map(({ kind, program, paths }) => ({
        kind,
        program,
        paths,
      }));
    }
    if (this.options.config.security.read_only && !this.options.sandboxCanMakeReadOnly) {
      this.denyNow(
        'security.read_only',
        'read-only mode allows shell commands only inside a sandbox that makes the file system read-only, and none is available here (install bubblewrap)',
        draft.risk,
        draft,
      );
    }
    // The working folder must be allowed: the command may write anywhere below it.
    const workingFolder: PathTarget[] =
      operation.cwd === undefined ? [] : [{ input: operation.cwd, cwd: undefined, mode: 'change' }];
    if (!analysis.ok) {
      this.judgePaths(draft, workingFolder);
      draft.asks.push({
        reason: `the command could not be parsed (${analysis.error}), so what it does is unknown`,
        rule: 'shell.unparseable',
      });
      return;
    }
    // First what the command does (read-only, network switch), then where it does it.
    for (const found of analysis.operations) {
      draft.details.push(`${found.kind}: ${found.detail}`);
      if (found.kind === 'delete' || found.kind === 'write' || found.kind === 'deploy') {
        draft.operations.add(found.kind);
        this.checkReadOnly(draft, `${found.kind} operations (${found.program})`);
      }
      if (found.kind === 'network' || found.kind === 'deploy') draft.outbound = true;
      if (found.kind === 'network' && !this.options.config.integrations.network.enabled) {
        this.denyNow(
          'integrations.network.enabled',
          `${found.program} uses the network, which is disabled; enable it with: omnipalm config set integrations.network.enabled true`,
          draft.risk,
          draft,
        );
      }
    }
    this.judgePaths(
      draft,
      workingFolder.concat(
        analysis.operations.flatMap((found) => {
          const mode =
            found.kind === 'delete' ? 'delete' : found.kind === 'write' ? 'change' : 'read';
          const by = `${found.kind === 'read' ? 'read' : found.kind === 'write' ? 'written' : found.kind === 'delete' ? 'deleted' : 'used'} by ${found.program}`;
          return found.paths.map(
            (input) =>
              ({ input, cwd: operation.cwd, mode, outsideReadable: true, by }) as PathTarget,
          );
        }),
      ),
    );
    draft.mayReachOut = [
      ...new Set(
        analysis.commands.map((command) => command.program).filter((name) => !staysLocal(name)),
      ),
    ];
    this.judgeUnknownParts(draft, analysis.unknown);
  }

  /**
   * What is only known when the command runs: a read or write path is bounded by the sandbox
   * (when commands run in it); a location change is too, unless the command also deletes or
   * deploys; everything else — a target of a delete, deploy or upload, the program itself, a
   * change to later commands — asks, saying which part is unknown and why that matters.
   */
  private judgeUnknownParts(draft: Draft, unknown: readonly UnknownPart[]): void {
    const sandboxed = this.options.shellSandboxed ?? this.options.sandboxCanMakeReadOnly;
    const acts = draft.operations.has('delete') || draft.operations.has('deploy');
    for (const part of unknown) {
      const bounded = sandboxed && (part.kind === 'path' || (part.kind === 'location' && !acts));
      draft.shell.unknown.push({ ...part, bounded });
      if (bounded) {
        draft.details.push(`known when it runs: ${part.why} (the sandbox bounds it)`);
        continue;
      }
      const why =
        part.kind === 'path' || part.kind === 'location'
          ? 'no OS sandbox bounds it here'
          : part.kind === 'target'
            ? `${part.program ?? 'it'} ${part.operation === 'delete' ? 'deletes' : part.operation === 'deploy' ? 'deploys' : 'sends data out'}, so what it acts on must be known`
            : part.kind === 'state'
              ? 'it changes what later commands run or read'
              : 'what runs is only known then';
      draft.details.push(`only known when it runs: ${part.why} (asks: ${why})`);
      draft.asks.push({
        reason: `part of the command is only known when it runs (${part.why}): ${why}`,
        rule: 'shell.dynamic',
      });
    }
  }

  private checkEmail(draft: Draft, recipients: string[]): void {
    draft.outbound = true;
    this.checkReadOnly(draft, 'sending email');
    const problem = recipientProblem(recipients);
    if (problem) this.denyNow('input', problem, draft.risk, draft);
    draft.details.push(`to: ${recipients.join(', ')}`);
  }

  private checkHttp(draft: Draft, method: string, url: string): void {
    draft.outbound = true;
    const verb = typeof method === 'string' ? method.toUpperCase() : '';
    if (!(HTTP_METHODS as readonly string[]).includes(verb)) {
      this.denyNow(
        'input',
        `unknown HTTP method ${JSON.stringify(method)} (expected one of ${HTTP_METHODS.join(', ')})`,
        draft.risk,
        draft,
      );
    }
    if (!SAFE_METHODS.has(verb)) this.checkReadOnly(draft, `${verb} requests`);
    const parsed = parseHttpUrl(url);
    if ('problem' in parsed) this.denyNow('input', parsed.problem, draft.risk, draft);
    const { integrations } = this.options.config;
    const hosts = [...integrations.network.allowed_hosts, ...integrationHosts(integrations)];
    if (!hostAllowed(parsed.url, hosts)) {
      this.denyNow(
        'integrations.network.allowed_hosts',
        `${parsed.url.host} is not a configured integration; add it to integrations.network.allowed_hosts to allow it`,
        draft.risk,
        draft,
      );
    }
    draft.details.push(`${verb} ${parsed.url.href}`);
  }

  private checkBrowser(draft: Draft, url: string): void {
    draft.outbound = true;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      this.denyNow('input', `not a valid URL: ${JSON.stringify(url)}`, draft.risk, draft);
    }
    if (parsed.protocol === 'file:') {
      this.judgePaths(draft, [
        { input: decodeURIComponent(parsed.pathname), cwd: undefined, mode: 'read' },
      ]);
    } else if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      this.denyNow(
        'input',
        `the browser may open http, https and allowed files only, not ${parsed.protocol} URLs`,
        draft.risk,
        draft,
      );
    }
    if (this.options.config.security.read_only) {
      // A page can submit forms; in read-only mode the user decides each visit.
      draft.asks.push({
        reason: 'read-only mode: a web page can submit data',
        rule: 'security.read_only',
      });
    }
    draft.details.push(`opens ${parsed.href}`);
  }

  /**
   * An MCP tool: the server must be configured and on, the user's rule for the tool decides
   * (a tool not listed asks), and in read-only mode only tools the user marked read-only run.
   * Nothing the server says about its tool (readOnlyHint, destructiveHint) counts here.
   */
  private checkMcp(draft: Draft, operation: McpOperation): void {
    const { security, integrations } = this.options.config;
    const { server: name, tool } = operation;
    const servers = integrations.mcp.servers;
    const server =
      typeof name === 'string' && Object.hasOwn(servers, name) ? servers[name] : undefined;
    if (!server) {
      this.denyNow(
        'input',
        `no MCP server named ${JSON.stringify(name)} is configured; add it under integrations.mcp.servers in config.yaml`,
        draft.risk,
        draft,
      );
    }
    const key = `integrations.mcp.servers.${name}`;
    draft.details.push(`calls ${String(tool)} on MCP server ${name}`);
    if (!server.enabled) {
      this.denyNow(
        `${key}.enabled`,
        `MCP server ${name} is disabled; enable it in the permissions editor's MCP section or set enabled: true under ${key} in config.yaml`,
        draft.risk,
        draft,
      );
    }
    if (typeof tool !== 'string' || tool === '') {
      this.denyNow('input', 'an MCP call needs the tool name', draft.risk, draft);
    }
    // A server's resources and prompts: reads the user switched on per server (resources: true).
    const feature = /^(resources|prompts)\/(list|read|get)$/.exec(tool)?.[1] as
      'resources' | 'prompts' | undefined;
    if (feature !== undefined && !server[feature]) {
      this.denyNow(
        `${key}.${feature}`,
        `MCP server ${name}'s ${feature} are not offered; set ${feature}: true under ${key} to offer them`,
        draft.risk,
        draft,
      );
    }
    const rule =
      feature !== undefined
        ? 'allow'
        : Object.hasOwn(server.tools, tool)
          ? server.tools[tool]
          : 'ask';
    if (rule === 'deny') {
      this.denyNow(
        `${key}.tools`,
        `MCP tool ${tool} of server ${name} is set to deny; change its rule in the permissions editor's MCP section or in ${key}.tools`,
        draft.risk,
        draft,
      );
    }
    if (security.read_only && feature === undefined && !server.read_only_tools.includes(tool)) {
      this.denyNow(
        'security.read_only',
        `read-only mode runs only the MCP tools you marked read-only; add ${tool} to ${key}.read_only_tools if it only reads, or turn read-only off with: omnipalm config set security.read_only false`,
        draft.risk,
        draft,
      );
    }
    // A server that can reach nothing (a stdio server in the sandbox with no hosts) cannot
    // carry data out; an endpoint, a server with hosts or an unsandboxed one can.
    draft.outbound =
      server.url !== undefined || server.hosts.length > 0 || security.sandbox === 'off';
    if (rule === 'ask') {
      draft.asks.push({
        reason: `MCP tool ${tool} of server ${name} asks before each call (its rule is ask${Object.hasOwn(server.tools, tool) ? '' : ', the default'}; set it to allow in ${key}.tools to stop asking)`,
        rule: `${key}.tools`,
      });
    }
  }

  private checkRateLimit(draft: Draft, context: DecisionContext): void {
    const category = RATE_CATEGORY[draft.operation];
    const result = context.dryRun
      ? this.options.rateLimits.peek(category)
      : this.options.rateLimits.tryAcquire(category);
    if (result.allowed) return;
    const window = result.windowMs >= 3_600_000 ? 'hour' : 'minute';
    const next = result.nextSlotAt
      ? `; the next slot opens at ${result.nextSlotAt.toISOString()}`
      : '';
    this.denyNow(
      RATE_LIMIT_CONFIG_KEYS[category],
      `rate limit reached: ${result.limit} ${category.replace('_', ' ')} per ${window} (${RATE_LIMIT_CONFIG_KEYS[category]})${next}`,
      draft.risk,
      draft,
    );
  }

  private checkConfirmation(draft: Draft, context: DecisionContext): void {
    const { require_confirmation: required, confirm_operations: confirmOperations } =
      this.options.config.security;
    if (required) {
      const matched = [...draft.operations].filter((operation) =>
        confirmOperations.includes(operation),
      );
      if (matched.length > 0) {
        draft.asks.push({
          reason: `${matched.join(' and ')} requires confirmation (security.confirm_operations)`,
          rule: 'security.confirm_operations',
        });
      }
    }
    if (!context.tainted) return;
    if (draft.outbound) {
      draft.asks.push({
        reason: `${UNTRUSTED_ENTERED}, and this action can send data out`,
        rule: 'untrusted_content',
      });
    } else if (draft.mayReachOut.length > 0) {
      draft.asks.push({
        reason: `${UNTRUSTED_ENTERED}, and ${draft.mayReachOut.join(', ')} can reach the network by itself, so it could send data out`,
        rule: 'untrusted_content',
      });
    }
  }

  private finish(draft: Draft, context: DecisionContext): PolicyDecision {
    const base = {
      risk: draft.risk,
      operations: [...draft.operations],
      details: draft.details,
      ...(draft.operation === 'execute_shell' || draft.operation === 'deploy'
        ? { shell: draft.shell }
        : {}),
    };
    if (draft.asks.length === 0) {
      return {
        decision: 'allow',
        reason: 'allowed by the configured policy',
        rule: 'default',
        ...base,
      };
    }
    const reason = draft.asks.map((ask) => ask.reason).join('; ');
    if (context.canConfirm === false) {
      return {
        decision: 'deny',
        reason: `needs confirmation, and nothing can show one: ${reason}`,
        rule: draft.asks[0]!.rule,
        ...base,
      };
    }
    return { decision: 'ask', reason, rule: draft.asks[0]!.rule, ...base };
  }
}
