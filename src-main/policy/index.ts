// Builds a PolicyEnforcer from the configuration with its real parts: the path guard, the
// shell parser, the persistent rate limits and the sandbox probe.
import os from 'node:os';
import path from 'node:path';
import type { OmniPalmConfig } from '../config/schema.js';
import { DEFAULT_PRICES, mergePrices, type PriceTable } from './modelPrices.js';
import { PolicyEnforcer } from './policyEnforcer.js';
import { RateLimiter, type RateCategory } from './rateLimiter.js';
import { RunBudget } from './runBudget.js';
import { probeSandbox } from './sandboxProbe.js';
import type { ShellAnalysis } from './shellAnalysis.js';

export { PolicyEnforcer } from './policyEnforcer.js';
export type { DecisionContext, PolicyDecision, PolicyOperation } from './types.js';

export function rateLimitsOf(config: OmniPalmConfig): Record<RateCategory, number> {
  const limits = config.security.rate_limits;
  return {
    emails: limits.emails_per_hour,
    api_calls: limits.api_calls_per_minute,
    file_operations: limits.file_operations_per_minute,
    shell_commands: limits.shell_commands_per_minute,
    mcp_calls: limits.mcp_calls_per_minute,
  };
}

export function rateLimitDatabase(omnipalmHome: string): string {
  return path.join(omnipalmHome, 'state', 'rate-limits.sqlite');
}

export async function createPolicyEnforcer(options: {
  config: OmniPalmConfig;
  omnipalmHome: string;
  homeDir?: string;
  sandboxCanMakeReadOnly?: boolean;
  /**
   * False for a caller that judges no shell command (`omnipalm policy check --op read …`):
   * the bash parser (a wasm module) is not loaded and the sandbox not probed, which is most of
   * that command's start-up. A shell command judged anyway fails closed: unparseable, so asked.
   */
  judgesShell?: boolean;
}): Promise<{ enforcer: PolicyEnforcer; close: () => void }> {
  const judgesShell = options.judgesShell ?? true;
  const rateLimiter = new RateLimiter({
    databaseFile: rateLimitDatabase(options.omnipalmHome),
    limits: () => rateLimitsOf(options.config),
  });
  const enforcer = new PolicyEnforcer({
    config: options.config,
    homeDir: options.homeDir ?? os.homedir(),
    omnipalmHome: options.omnipalmHome,
    shellAnalyzer: judgesShell
      ? await (await import('./shellAnalysis.js')).ShellAnalyzer.create()
      : { analyze: (): ShellAnalysis => ({ ok: false, error: 'the shell parser is not loaded' }) },
    rateLimits: rateLimiter,
    sandboxCanMakeReadOnly:
      options.sandboxCanMakeReadOnly ?? (judgesShell && probeSandbox().available),
  });
  return { enforcer, close: () => rateLimiter.close() };
}

/** The built-in price table with the user's `llm.prices` over it. */
export function pricesFromConfig(config: OmniPalmConfig): PriceTable {
  const overrides: PriceTable = {};
  for (const [model, price] of Object.entries(config.llm.prices)) {
    overrides[model.toLowerCase()] = {
      inputPerMillion: price.input_per_million,
      outputPerMillion: price.output_per_million,
      ...(price.cache_write_per_million !== undefined
        ? { cacheWritePerMillion: price.cache_write_per_million }
        : {}),
      ...(price.cache_read_per_million !== undefined
        ? { cacheReadPerMillion: price.cache_read_per_million }
        : {}),
    };
  }
  return mergePrices(DEFAULT_PRICES, overrides);
}

/** A task's stop conditions, from agent.* and security.stop_on_* (the agent loop charges it). */
export function createRunBudget(
  config: OmniPalmConfig,
  model = config.llm.model,
  spentBeforeUsd = 0,
): RunBudget {
  return new RunBudget({
    spentBeforeUsd,
    limits: {
      maxIterations: config.agent.max_iterations,
      timeoutSeconds: config.agent.timeout,
      stopOnErrorCount: config.security.stop_on_error_count,
      costLimitUsd: config.security.stop_on_cost_limit,
    },
    prices: pricesFromConfig(config),
    model,
  });
}
