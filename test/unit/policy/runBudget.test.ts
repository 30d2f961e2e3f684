import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_PRICES,
  mergePrices,
  priceFor,
  type PriceTable,
} from '../../../src-main/policy/modelPrices.js';
import {
  BudgetExceededError,
  RunBudget,
  type BudgetLimits,
  type StopReason,
} from '../../../src-main/policy/runBudget.js';

const LIMITS: BudgetLimits = {
  maxIterations: 25,
  timeoutSeconds: 300,
  stopOnErrorCount: 3,
  costLimitUsd: 10,
};
const SONNET = 'claude-sonnet-4-5-20250929';
const DAY_MS = 24 * 60 * 60 * 1000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function budgetWith(limits: Partial<BudgetLimits> = {}, prices: PriceTable = DEFAULT_PRICES) {
  return new RunBudget({
    limits: { ...LIMITS, ...limits },
    prices,
    model: SONNET,
    now: () => Date.now(),
  });
}

/** The StopReason an action throws, failing the test if it does not throw one. */
function stopOf(action: () => void): StopReason {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(BudgetExceededError);
    return (error as BudgetExceededError).reason;
  }
  throw new Error('expected a BudgetExceededError');
}

describe('RunBudget stop conditions', () => {
  it('stops the iteration after agent.max_iterations', () => {
    const budget = budgetWith();
    for (let i = 0; i < 25; i++) budget.startIteration();
    expect(budget.signal.aborted).toBe(false);

    const reason = stopOf(() => budget.startIteration());
    expect(reason).toEqual({
      limit: 'max_iterations',
      value: 25,
      message:
        'stopped: agent.max_iterations (25) reached — raise it with omnipalm config set agent.max_iterations 50',
    });
    expect(budget.iterations).toBe(25);
    expect(budget.stopReason).toBe(reason);
    expect(budget.signal.aborted).toBe(true);
    expect(budget.signal.reason).toBe(reason);
    // Stopped for good: asking again does not start one either.
    expect(stopOf(() => budget.startIteration())).toBe(reason);
  });

  it('aborts the signal when agent.timeout passes, by the timer alone', () => {
    const budget = budgetWith({ timeoutSeconds: 300 });
    const onAbort = vi.fn();
    budget.signal.addEventListener('abort', onAbort);

    vi.advanceTimersByTime(299_999);
    expect(budget.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(onAbort).toHaveBeenCalledOnce();
    expect(budget.signal.reason).toEqual({
      limit: 'timeout',
      value: 300,
      message:
        'stopped: agent.timeout (300 s) reached — raise it with omnipalm config set agent.timeout 600',
    });
    expect(stopOf(() => budget.startIteration()).limit).toBe('timeout');
  });

  it('checks the clock before an iteration even when the timer is late', () => {
    const budget = budgetWith({ timeoutSeconds: 60 });
    budget.startIteration();
    // The event loop was blocked: the clock moved but no timer has run yet.
    vi.setSystemTime(Date.now() + 61_000);
    expect(stopOf(() => budget.startIteration()).limit).toBe('timeout');
    expect(budget.iterations).toBe(1);
  });

  it('waits out a timeout longer than setTimeout can hold', () => {
    const budget = budgetWith({ timeoutSeconds: (40 * DAY_MS) / 1000 });
    vi.advanceTimersByTime(30 * DAY_MS);
    expect(budget.signal.aborted).toBe(false);
    vi.advanceTimersByTime(10 * DAY_MS);
    expect(budget.stopReason?.limit).toBe('timeout');
  });

  it('stops after security.stop_on_error_count consecutive errors, reset by a success', () => {
    const budget = budgetWith({ stopOnErrorCount: 3 });
    budget.recordError();
    budget.recordError();
    budget.recordSuccess();
    budget.recordError();
    budget.recordError();
    expect(budget.signal.aborted).toBe(false);

    expect(stopOf(() => budget.recordError())).toEqual({
      limit: 'stop_on_error_count',
      value: 3,
      message:
        'stopped: security.stop_on_error_count (3) consecutive errors reached — raise it with omnipalm config set security.stop_on_error_count 6',
    });
    expect(budget.signal.aborted).toBe(true);
  });

  it('stops when the cost exceeds security.stop_on_cost_limit, not when it equals it', () => {
    const budget = budgetWith({ costLimitUsd: 3 });
    // Sonnet input is $3 per million: exactly the limit, which is still within it.
    budget.chargeUsage({ input_tokens: 1_000_000, output_tokens: 0 });
    expect(budget.signal.aborted).toBe(false);

    const reason = stopOf(() => budget.chargeUsage({ input_tokens: 0, output_tokens: 200_000 }));
    expect(reason).toEqual({
      limit: 'stop_on_cost_limit',
      value: 3,
      message:
        'stopped: security.stop_on_cost_limit ($3.00) exceeded, this task cost $6.00 — raise it with omnipalm config set security.stop_on_cost_limit 6',
    });
    expect(budget.costUsd).toBeCloseTo(6, 10);
  });

  it('keeps the first reason when the user presses Stop', () => {
    const budget = budgetWith();
    budget.startIteration();
    budget.abort('stopped: you pressed Stop');
    const expected = { limit: 'aborted', value: 1, message: 'stopped: you pressed Stop' };
    expect(budget.signal.reason).toEqual(expected);
    expect(stopOf(() => budget.startIteration())).toEqual(expected);

    // The money of a response already under way is still recorded, and still refused.
    expect(stopOf(() => budget.chargeUsage({ input_tokens: 1000, output_tokens: 0 }))).toEqual(
      expected,
    );
    expect(budget.costUsd).toBeCloseTo(0.003, 10);
    vi.advanceTimersByTime(LIMITS.timeoutSeconds * 1000);
    expect(budget.stopReason).toEqual(expected);
  });

  it('dispose clears the timeout timer', () => {
    const budget = budgetWith();
    expect(vi.getTimerCount()).toBe(1);
    budget.dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(LIMITS.timeoutSeconds * 2000);
    expect(budget.signal.aborted).toBe(false);
  });

  it('clears the timer itself when another limit stops the run', () => {
    const budget = budgetWith({ maxIterations: 1 });
    budget.startIteration();
    expect(() => budget.startIteration()).toThrow(BudgetExceededError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses limits that could never fire', () => {
    expect(() => budgetWith({ maxIterations: Number.NaN })).toThrow('agent.max_iterations');
    expect(() => budgetWith({ timeoutSeconds: 0 })).toThrow('agent.timeout');
    expect(() => budgetWith({ stopOnErrorCount: 1.5 })).toThrow('security.stop_on_error_count');
    expect(() => budgetWith({ costLimitUsd: -1 })).toThrow('security.stop_on_cost_limit');
  });
});

describe('RunBudget cost', () => {
  it('charges input, output, cache writes and cache reads at the model’s rates', () => {
    const budget = budgetWith();
    budget.chargeUsage({
      input_tokens: 1000, // $3/M     → 0.003
      output_tokens: 2000, // $15/M   → 0.03
      cache_creation_input_tokens: 10_000, // $3.75/M → 0.0375
      cache_read_input_tokens: 100_000, // $0.30/M   → 0.03
    });
    expect(budget.costUsd).toBeCloseTo(0.1005, 10);

    budget.chargeUsage({
      input_tokens: 1000,
      output_tokens: 0,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
    });
    expect(budget.costUsd).toBeCloseTo(0.1035, 10);

    // Another model for one call (e.g. a cheaper summariser): $1/M input on Haiku 4.5.
    budget.chargeUsage({ input_tokens: 1_000_000, output_tokens: 0 }, 'claude-haiku-4-5');
    expect(budget.costUsd).toBeCloseTo(1.1035, 10);
  });

  it('charges an unknown model at the highest rates in the table, never at 0', () => {
    const budget = new RunBudget({ limits: LIMITS, prices: DEFAULT_PRICES, model: 'gpt-9-turbo' });
    budget.chargeUsage({ input_tokens: 100_000, output_tokens: 100_000 });
    // Opus 4/4.1 is the dearest: $15 in, $75 out per million.
    expect(budget.costUsd).toBeCloseTo(9, 10);
    budget.dispose();
  });

  it('charges a local model priced 0 by the user nothing, even at a 0 limit', () => {
    const prices = mergePrices(DEFAULT_PRICES, {
      'llama3.1:8b': { inputPerMillion: 0, outputPerMillion: 0 },
    });
    const budget = new RunBudget({
      limits: { ...LIMITS, costLimitUsd: 0 },
      prices,
      model: 'llama3.1:8b',
    });
    budget.chargeUsage({
      input_tokens: 5_000_000,
      output_tokens: 5_000_000,
      cache_read_input_tokens: 1000,
    });
    expect(budget.costUsd).toBe(0);
    expect(budget.signal.aborted).toBe(false);
    budget.dispose();
  });

  it('stops on a usage it cannot price rather than charging nothing', () => {
    const budget = budgetWith();
    const reason = stopOf(() => budget.chargeUsage({ input_tokens: -5000, output_tokens: 10 }));
    expect(reason.limit).toBe('stop_on_cost_limit');
    expect(reason.message).toContain('cannot be enforced');
    expect(reason.message).toContain('input_tokens = -5000');
    expect(budget.costUsd).toBe(0);

    const other = budgetWith();
    expect(
      stopOf(() => other.chargeUsage({ input_tokens: 10, output_tokens: Number.NaN })).message,
    ).toContain('output_tokens = NaN');
  });
});

describe('model prices', () => {
  it('matches an exact id first, then the longest family prefix', () => {
    expect(priceFor(DEFAULT_PRICES, 'claude-opus-4-5')).toMatchObject({
      price: { inputPerMillion: 5, outputPerMillion: 25 },
      exact: true,
      source: 'price table entry "claude-opus-4-5"',
    });
    expect(priceFor(DEFAULT_PRICES, 'claude-opus-4-5-20251101')).toMatchObject({
      price: { inputPerMillion: 5 },
      source: 'price table family "claude-opus-4-5"',
    });
    expect(priceFor(DEFAULT_PRICES, 'claude-opus-4-20250514').price.inputPerMillion).toBe(15);
    expect(priceFor(DEFAULT_PRICES, 'Claude-Sonnet-4-5-20250929')).toMatchObject({
      price: { inputPerMillion: 3, outputPerMillion: 15 },
      exact: true,
      source: 'price table family "claude-sonnet-4"',
    });
    expect(priceFor(DEFAULT_PRICES, 'claude-haiku-4-5@20251001').price.inputPerMillion).toBe(1);
  });

  it('does not take a longer name for a family member', () => {
    const lookup = priceFor(DEFAULT_PRICES, 'claude-sonnet-45');
    expect(lookup.exact).toBe(false);
    expect(lookup.source).toContain('unknown model "claude-sonnet-45"');
    expect(lookup.source).toContain('fail closed');
    expect(lookup.price).toEqual({
      inputPerMillion: 15,
      outputPerMillion: 75,
      cacheWritePerMillion: 18.75,
      cacheReadPerMillion: 1.5,
    });
  });

  it('lets overrides replace and add entries, and refuses negative or missing prices', () => {
    const prices = mergePrices(DEFAULT_PRICES, {
      'Claude-Sonnet-4': { inputPerMillion: 6, outputPerMillion: 22.5 },
    });
    expect(priceFor(prices, SONNET).price).toEqual({ inputPerMillion: 6, outputPerMillion: 22.5 });
    expect(DEFAULT_PRICES['claude-sonnet-4']?.inputPerMillion).toBe(3);

    expect(() =>
      mergePrices(DEFAULT_PRICES, { cheap: { inputPerMillion: -1, outputPerMillion: 0 } }),
    ).toThrow('model price cheap.inputPerMillion: expected 0 or more USD per million tokens');
    expect(() =>
      mergePrices(DEFAULT_PRICES, {
        cheap: { inputPerMillion: 0, outputPerMillion: 0, cacheReadPerMillion: Number.NaN },
      }),
    ).toThrow('cheap.cacheReadPerMillion');
  });

  it('charges missing cache rates conservatively', () => {
    const prices = mergePrices({}, { local: { inputPerMillion: 1, outputPerMillion: 2 } });
    const budget = new RunBudget({ limits: LIMITS, prices, model: 'local' });
    budget.chargeUsage({
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 1_000_000,
      cache_read_input_tokens: 1_000_000,
    });
    expect(budget.costUsd).toBeCloseTo(3, 10);
    budget.dispose();
  });

  it('refuses to price anything from an empty table', () => {
    expect(() => priceFor({}, 'claude-opus-4-5')).toThrow('the model price table is empty');
  });
});
