// What a model's tokens cost, so the run budget can enforce security.stop_on_cost_limit.
// Every lookup fails closed: a model we cannot price is charged at the highest rates we know,
// never at 0 — otherwise a typo in llm.model, or a model released after this table, would turn
// the cost limit off silently and let a runaway loop spend without bound.

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Tokens written to the prompt cache. Missing: charged at twice the input rate. */
  cacheWritePerMillion?: number;
  /** Tokens read from the prompt cache. Missing: charged at the full input rate. */
  cacheReadPerMillion?: number;
}

/** Keys are model ids or family prefixes, in lower case. */
export type PriceTable = Record<string, ModelPrice>;

export interface PriceLookup {
  price: ModelPrice;
  /** True when the model has an entry of its own or a family entry; false when it was guessed. */
  exact: boolean;
  /** Which entry priced the model, in words a user can act on. */
  source: string;
}

function anthropic(input: number, output: number, cacheWrite: number, cacheRead: number) {
  return {
    inputPerMillion: input,
    outputPerMillion: output,
    cacheWritePerMillion: cacheWrite,
    cacheReadPerMillion: cacheRead,
  };
}

/**
 * Anthropic's published list prices (platform.claude.com/docs/en/about-claude/pricing, checked
 * against stored copies of that page): base input, output, 5-minute cache write, cache hit.
 * Cache writes use the 5-minute rate because the agent loop uses the default cache lifetime; a
 * 1-hour cache write costs 2x input and would need its own entry.
 * Sonnet 4/4.5 prompts over 200K tokens (1M-context beta) bill at a higher tier ($6 / $22.50)
 * that a per-model table cannot express: keep the context under 200K or lower the cost limit.
 *
 * Family entries (claude-opus-4, claude-sonnet-4, claude-haiku-4) catch dated ids such as
 * claude-sonnet-4-5-20250929. claude-opus-4 is priced as Opus 4/4.1, the dearest of its family,
 * so an Opus 4.x this table does not know yet is over-charged rather than under-charged.
 */
export const DEFAULT_PRICES: PriceTable = {
  'claude-opus-4': anthropic(15, 75, 18.75, 1.5),
  'claude-opus-4-1': anthropic(15, 75, 18.75, 1.5),
  'claude-opus-4-5': anthropic(5, 25, 6.25, 0.5),
  'claude-opus-4-6': anthropic(5, 25, 6.25, 0.5),
  'claude-opus-4-7': anthropic(5, 25, 6.25, 0.5),
  'claude-opus-4-8': anthropic(5, 25, 6.25, 0.5),
  'claude-sonnet-4': anthropic(3, 15, 3.75, 0.3),
  'claude-haiku-4': anthropic(1, 5, 1.25, 0.1),
};

const PRICE_FIELDS = [
  'inputPerMillion',
  'outputPerMillion',
  'cacheWritePerMillion',
  'cacheReadPerMillion',
] as const;

/** Cache rates filled in, conservatively when the table leaves them out. */
export function completePrice(price: ModelPrice): Required<ModelPrice> {
  return {
    inputPerMillion: price.inputPerMillion,
    outputPerMillion: price.outputPerMillion,
    cacheWritePerMillion: price.cacheWritePerMillion ?? price.inputPerMillion * 2,
    cacheReadPerMillion: price.cacheReadPerMillion ?? price.inputPerMillion,
  };
}

/**
 * The defaults with the user's prices on top (a local openai-compatible model is priced 0 this
 * way). An override replaces the whole entry for that model. A negative or non-numeric price is
 * refused, because it would let the recorded cost fall below what was spent — or become NaN,
 * which compares false against every limit and so never stops anything.
 */
export function mergePrices(defaults: PriceTable, overrides: PriceTable): PriceTable {
  const merged: PriceTable = {};
  for (const [model, price] of [...Object.entries(defaults), ...Object.entries(overrides)]) {
    for (const field of PRICE_FIELDS) {
      const value = price[field];
      if (value === undefined && field.startsWith('cache')) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(
          `model price ${model}.${field}: expected 0 or more USD per million tokens, got ${String(value)}`,
        );
      }
    }
    merged[model.toLowerCase()] = { ...price };
  }
  return merged;
}

/** The longest key that is the model itself or a prefix of it ending at a '-' or '@'. */
function findEntry(table: PriceTable, model: string): [string, ModelPrice] | undefined {
  let best: [string, ModelPrice] | undefined;
  for (const [key, price] of Object.entries(table)) {
    const matches = model === key || model.startsWith(`${key}-`) || model.startsWith(`${key}@`);
    if (matches && (!best || key.length > best[0].length)) best = [key, price];
  }
  return best;
}

export function priceFor(table: PriceTable, model: string): PriceLookup {
  const id = model.trim().toLowerCase();
  const own = Object.hasOwn(table, id) ? table[id] : undefined;
  if (own) return { price: own, exact: true, source: `price table entry "${id}"` };
  const family = findEntry(table, id);
  if (family) {
    return { price: family[1], exact: true, source: `price table family "${family[0]}"` };
  }

  const prices = Object.values(table).map(completePrice);
  if (prices.length === 0) {
    throw new Error(`model "${model}" cannot be priced: the model price table is empty`);
  }
  const highest = (field: (typeof PRICE_FIELDS)[number]) =>
    Math.max(...prices.map((price) => price[field]));
  return {
    price: {
      inputPerMillion: highest('inputPerMillion'),
      outputPerMillion: highest('outputPerMillion'),
      cacheWritePerMillion: highest('cacheWritePerMillion'),
      cacheReadPerMillion: highest('cacheReadPerMillion'),
    },
    exact: false,
    source:
      `unknown model "${model}": charged at the highest rates in the price table (fail closed) ` +
      '— add a price for it to charge it exactly',
  };
}
