// The stop conditions of one agent task. A task driven by a model can loop forever — a tool that
// keeps failing, a prompt injection that says "try again", a model that never says it is done —
// and every turn spends money and may act on the user's machine. The agent loop charges each
// step here, and the first limit reached stops the task for good: the budget never un-stops.
import { completePrice, priceFor, type PriceTable } from './modelPrices.js';

export type StopLimit =
  'max_iterations' | 'timeout' | 'stop_on_error_count' | 'stop_on_cost_limit' | 'aborted';

export interface StopReason {
  limit: StopLimit;
  /** The configured limit that fired; for 'aborted', the iterations started before the stop. */
  value: number;
  /** Names the limit, its value and the config key to change. */
  message: string;
}

export class BudgetExceededError extends Error {
  constructor(readonly reason: StopReason) {
    super(reason.message);
    this.name = 'BudgetExceededError';
  }
}

export interface BudgetLimits {
  maxIterations: number;
  timeoutSeconds: number;
  stopOnErrorCount: number;
  costLimitUsd: number;
}

/** The usage block of an Anthropic Messages API response. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface RunBudgetOptions {
  limits: BudgetLimits;
  prices: PriceTable;
  model: string;
  /**
   * What the session spent before this task (its earlier turns): the cost limit bounds the
   * session, so this task may spend only what is left. Default 0.
   */
  spentBeforeUsd?: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
  setTimer?: typeof setTimeout;
  clearTimer?: typeof clearTimeout;
}

// setTimeout fires at once for delays past 2^31-1 ms (about 24.8 days): longer timeouts are
// waited for in steps, or a huge agent.timeout would stop every task immediately.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

const LIMIT_CHECKS: [keyof BudgetLimits, string, (value: number) => boolean][] = [
  ['maxIterations', 'agent.max_iterations', (value) => Number.isInteger(value) && value >= 1],
  ['timeoutSeconds', 'agent.timeout', (value) => value > 0],
  [
    'stopOnErrorCount',
    'security.stop_on_error_count',
    (value) => Number.isInteger(value) && value >= 1,
  ],
  ['costLimitUsd', 'security.stop_on_cost_limit', (value) => value >= 0],
];

function formatUsd(amount: number): string {
  return amount === 0 || amount >= 0.01 ? `$${amount.toFixed(2)}` : `$${amount.toPrecision(2)}`;
}

function raiseHint(key: string, value: number): string {
  return `raise it with omnipalm config set ${key} ${value > 0 ? value * 2 : 1}`;
}

export class RunBudget {
  readonly #limits: BudgetLimits;
  readonly #prices: PriceTable;
  readonly #model: string;
  readonly #now: () => number;
  readonly #setTimer: typeof setTimeout;
  readonly #clearTimer: typeof clearTimeout;
  readonly #controller = new AbortController();
  readonly #deadline: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopReason: StopReason | undefined;
  #iterations = 0;
  #consecutiveErrors = 0;
  #costUsd = 0;
  readonly #spentBefore: number;

  constructor(options: RunBudgetOptions) {
    // A NaN or negative limit would compare false against everything and never fire: refuse it.
    for (const [field, key, isValid] of LIMIT_CHECKS) {
      const value = options.limits[field];
      if (!Number.isFinite(value) || !isValid(value)) {
        throw new RangeError(`${key}: invalid limit ${String(value)}`);
      }
    }
    this.#limits = { ...options.limits };
    const spentBefore = options.spentBeforeUsd ?? 0;
    if (!Number.isFinite(spentBefore) || spentBefore < 0) {
      throw new RangeError(`the session's cost so far is invalid: ${String(spentBefore)}`);
    }
    this.#spentBefore = spentBefore;
    this.#prices = options.prices;
    this.#model = options.model;
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? setTimeout;
    this.#clearTimer = options.clearTimer ?? clearTimeout;
    this.#deadline = this.#now() + this.#limits.timeoutSeconds * 1000;
    this.#scheduleTimeout();
  }

  /** Aborted, with the StopReason as its reason, when any limit fires or abort() is called. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get stopReason(): StopReason | undefined {
    return this.#stopReason;
  }

  get costUsd(): number {
    return this.#costUsd;
  }

  get iterations(): number {
    return this.#iterations;
  }

  /** Call before each model turn; throws BudgetExceededError instead of starting one too many. */
  startIteration(): void {
    this.#checkDeadline();
    this.#throwIfStopped();
    // A session already at its cost limit pays for no further request (a new session resets).
    if (this.#iterations === 0 && this.#spentBefore > 0) this.#checkCost(true);
    const { maxIterations } = this.#limits;
    if (this.#iterations + 1 > maxIterations) {
      this.#stop({
        limit: 'max_iterations',
        value: maxIterations,
        message: `stopped: agent.max_iterations (${maxIterations}) reached — ${raiseHint('agent.max_iterations', maxIterations)}`,
      });
    }
    this.#throwIfStopped();
    this.#iterations += 1;
  }

  recordSuccess(): void {
    this.#consecutiveErrors = 0;
  }

  /** Counts consecutive failures: a tool failing the same way again and again is a runaway. */
  recordError(): void {
    this.#consecutiveErrors += 1;
    const { stopOnErrorCount } = this.#limits;
    if (this.#consecutiveErrors >= stopOnErrorCount) {
      this.#stop({
        limit: 'stop_on_error_count',
        value: stopOnErrorCount,
        message: `stopped: security.stop_on_error_count (${stopOnErrorCount}) consecutive errors reached — ${raiseHint('security.stop_on_error_count', stopOnErrorCount)}`,
      });
    }
    this.#throwIfStopped();
  }

  /**
   * Adds what a model response cost. The money is spent whatever happens next, so the cost is
   * recorded even after a stop; the throw then keeps the loop from paying for another turn.
   */
  chargeUsage(usage: TokenUsage, model: string = this.#model): void {
    const counts = {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    };
    const { costLimitUsd } = this.#limits;
    // An openai-compatible server reports its own usage: a negative or missing count could walk
    // the recorded cost back down, and NaN would never exceed any limit. Unknown cost fails closed.
    const invalid = Object.entries(counts).find(
      ([, count]) => typeof count !== 'number' || !Number.isInteger(count) || count < 0,
    );
    if (invalid) {
      this.#stop({
        limit: 'stop_on_cost_limit',
        value: costLimitUsd,
        message: `stopped: security.stop_on_cost_limit (${formatUsd(costLimitUsd)}) cannot be enforced — the model reported an invalid usage ${invalid[0]} = ${String(invalid[1])}`,
      });
      this.#throwIfStopped();
    }

    const price = completePrice(priceFor(this.#prices, model).price);
    this.#costUsd +=
      (counts.input_tokens * price.inputPerMillion +
        counts.output_tokens * price.outputPerMillion +
        counts.cache_creation_input_tokens * price.cacheWritePerMillion +
        counts.cache_read_input_tokens * price.cacheReadPerMillion) /
      1_000_000;
    this.#checkCost();
    this.#throwIfStopped();
  }

  /** At a turn's start the session must have money left; after a charge, not be over. */
  #checkCost(atStart = false): void {
    const { costLimitUsd } = this.#limits;
    const total = this.#spentBefore + this.#costUsd;
    if (atStart ? total < costLimitUsd : total <= costLimitUsd) return;
    const spent =
      this.#spentBefore > 0
        ? `this session cost ${formatUsd(total)} (this turn ${formatUsd(this.#costUsd)}); start a new session or ${raiseHint('security.stop_on_cost_limit', costLimitUsd)}`
        : `this task cost ${formatUsd(this.#costUsd)} — ${raiseHint('security.stop_on_cost_limit', costLimitUsd)}`;
    this.#stop({
      limit: 'stop_on_cost_limit',
      value: costLimitUsd,
      message: `stopped: security.stop_on_cost_limit (${formatUsd(costLimitUsd)}) ${total > costLimitUsd ? 'exceeded' : 'reached'}, ${spent}`,
    });
  }

  /** The session's cost before this task plus this task's: what the cost limit bounds. */
  get sessionCostUsd(): number {
    return this.#spentBefore + this.#costUsd;
  }

  /** The user pressed Stop. The first stop wins: a later one does not replace its reason. */
  abort(message: string): void {
    this.#stop({ limit: 'aborted', value: this.#iterations, message });
  }

  /** Clears the timeout timer; call when the task ends, however it ends. */
  dispose(): void {
    if (this.#timer !== undefined) this.#clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #scheduleTimeout(): void {
    const remaining = this.#deadline - this.#now();
    this.#timer = this.#setTimer(
      () => {
        this.#timer = undefined;
        if (this.#checkDeadline() || this.#stopReason) return;
        this.#scheduleTimeout();
      },
      Math.min(Math.max(remaining, 0), LONGEST_TIMER_MS),
    );
  }

  /**
   * The timer alone is not enough: a long synchronous step delays it, so startIteration also
   * reads the clock before letting another turn begin. Returns true when the deadline has passed.
   */
  #checkDeadline(): boolean {
    if (this.#now() < this.#deadline) return false;
    const { timeoutSeconds } = this.#limits;
    this.#stop({
      limit: 'timeout',
      value: timeoutSeconds,
      message: `stopped: agent.timeout (${timeoutSeconds} s) reached — ${raiseHint('agent.timeout', timeoutSeconds)}`,
    });
    return true;
  }

  #stop(reason: StopReason): void {
    if (this.#stopReason) return;
    this.#stopReason = reason;
    this.dispose();
    this.#controller.abort(reason);
  }

  #throwIfStopped(): void {
    if (this.#stopReason) throw new BudgetExceededError(this.#stopReason);
  }
}
