// The policy as one task sees it. The enforcer judges an operation; the task knows two things
// the enforcer cannot: whether untrusted content (a document, a web page, command output, a Slack message)
// has entered the conversation, and whether any front door could show a confirmation. Tools
// get this wrapper instead of the enforcer, so every decide() carries both facts.
import type { PathGuard } from './pathGuard.js';
import type { DecisionContext, PolicyDecision, PolicyOperation } from './types.js';

/** What a tool needs from the policy. PolicyEnforcer and TaskPolicy both are one. */
export interface Policy {
  readonly pathGuard: PathGuard;
  decide(operation: PolicyOperation, context?: DecisionContext): PolicyDecision;
}

export interface TaskPolicyOptions {
  /** security.untrusted_content_guard: false never marks the task tainted. */
  guardUntrusted: boolean;
  /** Asked at each decision: can a front door show a confirmation right now? */
  canConfirm: () => boolean;
  /**
   * Where untrusted content entered before this task: the session's earlier turns. The task
   * starts tainted by them (while the guard is on), until the user starts a new session.
   */
  initialSources?: readonly string[];
  /** Called once per new source, so the session keeps it for its later turns. */
  onUntrusted?: (source: string) => void;
}

/** Sources named in a reason; a search over 500 files names a few and counts the rest. */
export const MAX_NAMED_SOURCES = 5;

function namedSources(sources: readonly string[]): string {
  const named = sources.slice(0, MAX_NAMED_SOURCES).join(', ');
  const more = sources.length - MAX_NAMED_SOURCES;
  return more > 0 ? `${named} and ${more} more` : named;
}

export class TaskPolicy implements Policy {
  readonly #sources = new Set<string>();

  constructor(
    private readonly enforcer: Policy,
    private readonly options: TaskPolicyOptions,
  ) {
    if (options.guardUntrusted) {
      for (const source of options.initialSources ?? []) this.#sources.add(source);
    }
  }

  get pathGuard(): PathGuard {
    return this.enforcer.pathGuard;
  }

  /** True once untrusted content entered the task (and the guard is on). */
  get tainted(): boolean {
    return this.#sources.size > 0;
  }

  /** Where the untrusted content came from, e.g. ["shell.exec", "http.request"]. */
  get untrustedSources(): string[] {
    return [...this.#sources];
  }

  /** Records that content from `source` went to the model. */
  markUntrusted(source: string): void {
    if (!this.options.guardUntrusted || this.#sources.has(source)) return;
    this.#sources.add(source);
    this.options.onUntrusted?.(source);
  }

  decide(operation: PolicyOperation, context: DecisionContext = {}): PolicyDecision {
    const decision = this.enforcer.decide(operation, {
      ...context,
      tainted: context.tainted === true || this.tainted,
      canConfirm: context.canConfirm ?? this.options.canConfirm(),
    });
    if (
      this.tainted &&
      decision.decision !== 'allow' &&
      /untrusted content/.test(decision.reason)
    ) {
      // The question (and a refusal) says why, and where the untrusted content came from.
      const sources = namedSources(this.untrustedSources);
      return {
        ...decision,
        reason: `${decision.reason} (untrusted content came from: ${sources})`,
        details: [
          ...(decision.details ?? []),
          `asked because this task read untrusted content from: ${sources}`,
        ],
      };
    }
    return decision;
  }
}
