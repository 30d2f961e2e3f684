import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src-main/config/schema.js';
import { createRunBudget, pricesFromConfig } from '../../../src-main/policy/index.js';
import { BudgetExceededError } from '../../../src-main/policy/runBudget.js';

describe('run budget from config', () => {
  it('prices a local model at 0 when llm.prices says so, and keeps the built-in table', () => {
    const config = configSchema.parse({
      llm: { model: 'llama3', prices: { llama3: { input_per_million: 0, output_per_million: 0 } } },
    });
    const prices = pricesFromConfig(config);
    expect(prices.llama3).toMatchObject({ inputPerMillion: 0, outputPerMillion: 0 });
    expect(prices['claude-sonnet-4']).toBeDefined();
    const budget = createRunBudget(config);
    budget.chargeUsage({ input_tokens: 5_000_000, output_tokens: 5_000_000 });
    expect(budget.costUsd).toBe(0);
    budget.dispose();
  });

  it('stops at security.stop_on_cost_limit and says which limit fired', () => {
    const config = configSchema.parse({
      security: { stop_on_cost_limit: 1 },
      llm: { model: 'claude-sonnet-4-5' },
    });
    const budget = createRunBudget(config);
    // 100k output tokens of Sonnet at $15/M = $1.50 > $1.
    expect(() => budget.chargeUsage({ input_tokens: 0, output_tokens: 100_000 })).toThrow(
      BudgetExceededError,
    );
    expect(budget.stopReason).toMatchObject({ limit: 'stop_on_cost_limit', value: 1 });
    expect(budget.stopReason!.message).toContain('security.stop_on_cost_limit');
    budget.dispose();
  });

  it('stops after agent.max_iterations', () => {
    const budget = createRunBudget(configSchema.parse({ agent: { max_iterations: 2 } }));
    budget.startIteration();
    budget.startIteration();
    expect(() => budget.startIteration()).toThrow(/agent\.max_iterations \(2\)/);
    budget.dispose();
  });
});
