// Context that fits (issue 17, item 3): a request that would overflow the model's context
// window is made smaller before it is sent, in a fixed order that gives up the least useful
// text first:
//   1. tool results of earlier turns, oldest first, are cut to their first characters;
//   2. the oldest earlier turns become one summary pair (their prompts, tool names, answers);
//   3. tool results of this turn's earlier steps, oldest first, are cut;
//   4. every one of those results is cut to the marker alone.
// Never touched: the system prompt, this turn's prompt, the latest step's results. Each cut
// says so in the text the model reads (SHORTENED_MARKER, SUMMARY_MARKER).
//
// Secrets: the summary is built mechanically from the messages themselves — text cut from
// them, never written anew — so it holds nothing that was not sent before, and the earlier
// turns it reads are stored redacted. Tool results are never summarised, only cut; a cut never
// lands inside a run of token characters, so it cannot leave part of a key that the request's
// redactor (modelClient.ts) would no longer recognise.
import type Anthropic from '@anthropic-ai/sdk';
import type { OmniPalmConfig } from '../config/schema.js';
import type { MessageParam, ToolDefinition } from './modelProvider.js';

type Block = Anthropic.Messages.ContentBlockParam;
type ToolResult = Anthropic.Messages.ToolResultBlockParam;

export const DEFAULT_CONTEXT_WINDOW = 32_000;

// Trained context windows, most specific first; matched against the lower-cased model name
// without a `vendor/` prefix. A local server (Ollama's num_ctx, llama.cpp's -c) often runs a
// model with less than this: set llm.context_window to what the server was started with.
const CONTEXT_WINDOWS: readonly [RegExp, number][] = [
  [/^claude-/, 200_000],
  [/^gpt-5/, 400_000],
  [/^gpt-4\.1/, 1_047_576],
  [/^(gpt-4o|gpt-4-turbo|chatgpt-4o)/, 128_000],
  [/^gpt-4/, 8_192],
  [/^gpt-3\.5/, 16_385],
  [/^o[134]\b/, 200_000],
  [/^gpt-oss/, 131_072],
  [/^llama-?3\.[123]/, 131_072],
  [/^llama-?3/, 8_192],
  [/^llama-?2/, 4_096],
  [/^(qwen2\.5|qwen3|qwq)/, 32_768],
  [/^(mistral-nemo|mistral-large|mistral-small)/, 128_000],
  [/^(mistral|mixtral|codestral)/, 32_768],
  [/^gemma-?3/, 128_000],
  [/^gemma/, 8_192],
  [/^phi-?4/, 16_384],
  [/^phi-?3/, 4_096],
  [/^deepseek-(r1|v3|chat|reasoner)/, 128_000],
  [/^deepseek/, 16_384],
  [/^command-r/, 128_000],
];

/** The model's context window in tokens: llm.context_window if set, else the table. */
export function contextWindowFor(
  config: Pick<OmniPalmConfig, 'llm'> | { llm: { context_window?: number } },
  model: string,
): number {
  if (config.llm.context_window !== undefined) return config.llm.context_window;
  const name = model.toLowerCase().split('/').at(-1) ?? '';
  return CONTEXT_WINDOWS.find(([pattern]) => pattern.test(name))?.[1] ?? DEFAULT_CONTEXT_WINDOW;
}

/** How much each cut keeps, and when a result is worth cutting (else the marker costs more). */
export const CONTEXT_LIMITS = {
  /** Characters a shortened tool result keeps. */
  keptResultChars: 500,
  /** Results at most this long are left alone (pass 1 and 3). */
  shortenAboveChars: 1000,
  /** In pass 4, results at most this long are left alone. */
  markerOnlyAboveChars: 200,
  /** Characters of each prompt and answer a summary keeps. */
  summaryPromptChars: 300,
  summaryAnswerChars: 400,
  /** Bytes of JSON per token: a cheap estimate, on the safe side for prose. */
  bytesPerToken: 3.5,
} as const;

export const SHORTENED_MARKER = (elided: number) =>
  `[shortened by OmniPalm: ${elided.toLocaleString('en-US')} characters of this tool result elided to fit the context window]`;
export const SUMMARY_MARKER = (first: number, last: number) =>
  `[summary by OmniPalm of turns ${first}–${last}, elided to fit the context window: the full text is not sent]`;
const SUMMARY_ANSWERS_MARKER = (first: number, last: number) =>
  `[summary by OmniPalm, continued: the tools called and the answers of turns ${first}–${last}, cut]`;
const LEFT_OUT = (first: number, last: number) =>
  `(turns ${first}–${last}: left out entirely, not even summarised)`;

export interface FitRequest {
  system: string;
  tools: ToolDefinition[];
  /** Earlier turns, then this turn from `currentStart` (its prompt first). */
  messages: MessageParam[];
  currentStart: number;
  maxTokens: number;
  contextWindow: number;
}

const messageTokens = new WeakMap<object, number>();
const toolsTokens = new WeakMap<object, number>();
const shortenedMessages = new WeakMap<object, Map<number, MessageParam>>();

/** Tokens of a piece of text, estimated from its UTF-8 size (CJK text is ~3 bytes a token). */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / CONTEXT_LIMITS.bytesPerToken);
}

/** A message's tokens, estimated once per message object (the loop resends the same ones). */
export function messageTokenEstimate(message: MessageParam): number {
  let tokens = messageTokens.get(message);
  if (tokens === undefined) {
    tokens = estimateTokens(JSON.stringify(message));
    messageTokens.set(message, tokens);
  }
  return tokens;
}

function toolsTokenEstimate(tools: ToolDefinition[]): number {
  let tokens = toolsTokens.get(tools);
  if (tokens === undefined) {
    tokens = estimateTokens(JSON.stringify(tools));
    toolsTokens.set(tools, tokens);
  }
  return tokens;
}

/**
 * Tokens the messages may use: the window less the answer's room (max_tokens, but at most a
 * quarter of a small window) and a margin for the estimate's error.
 */
export function messageBudget(request: Omit<FitRequest, 'messages' | 'currentStart'>): number {
  const { contextWindow } = request;
  const answer = Math.min(request.maxTokens, Math.floor(contextWindow / 4));
  const margin = Math.max(256, Math.ceil(contextWindow * 0.05));
  return (
    contextWindow -
    answer -
    margin -
    estimateTokens(request.system) -
    toolsTokenEstimate(request.tools)
  );
}

/** The request's messages, made to fit the window; the same array when they already do. */
export function fitContext(request: FitRequest): MessageParam[] {
  const { messages } = request;
  const budget = messageBudget(request);
  let total = 0;
  for (const message of messages) total += messageTokenEstimate(message);
  if (total <= budget) return messages;

  // `out` is what is sent; `whole` the same positions before any cut (a second, harder cut
  // starts from the whole text, so its marker counts right).
  let out = [...messages];
  let whole = [...messages];
  let start = Math.min(Math.max(request.currentStart, 0), messages.length);
  const shorten = (from: number, to: number, keep: number, above: number) => {
    for (let index = Math.max(from, 0); index < to && total > budget; index++) {
      const sent = out[index] as MessageParam;
      const shorter = shortenedResults(whole[index] as MessageParam, keep, above);
      if (shorter === sent || messageTokenEstimate(shorter) >= messageTokenEstimate(sent)) continue;
      total += messageTokenEstimate(shorter) - messageTokenEstimate(sent);
      out[index] = shorter;
    }
  };
  const { keptResultChars, shortenAboveChars, markerOnlyAboveChars } = CONTEXT_LIMITS;

  // 1. Earlier turns' tool results, oldest first.
  shorten(0, start, keptResultChars, shortenAboveChars);
  // 2. The oldest earlier turns, summarised.
  if (total > budget && start > 0) {
    const summarised = summariseOldest(out, whole, start, total - budget);
    if (summarised) {
      total += summarised.change;
      ({ out, whole } = summarised);
      start = summarised.currentStart;
    }
  }
  // 3. This turn's earlier steps (never its prompt, never the latest results), oldest first.
  shorten(start + 1, out.length - 1, keptResultChars, shortenAboveChars);
  // 4. The smallest this can be: every result but the latest, the marker alone.
  shorten(0, out.length - 1, 0, markerOnlyAboveChars);
  // Still too big: sent anyway, and the API's refusal reaches the user as the turn's error.
  return out;
}

// ---- Shortening tool results -------------------------------------------------------------

// Characters of keys, tokens and passwords: a cut never splits a run of them.
const TOKEN_CHARACTER = /[\p{L}\p{N}_\-.+/=:~%$]/u;

/** The first `limit` characters at most, cut where no token-like run is split. */
export function cutText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = Math.max(limit, 0);
  const inRun = (at: number) =>
    TOKEN_CHARACTER.test(text[at - 1] ?? ' ') && TOKEN_CHARACTER.test(text[at] ?? ' ');
  while (end > 0 && inRun(end)) end--;
  // Not between the halves of a surrogate pair.
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1] as string)) end--;
  return text.slice(0, end);
}

const WRAPPED = /^(<tool_result [^>\n]*>\n)([\s\S]*)(\n<\/tool_result>)$/;

function shortenedText(text: string, keep: number): string {
  // A wrapped result (agentLoop.ts wrapUntrusted) keeps its wrapper, and the marker goes after
  // it: inside, it would read as untrusted data, and data could forge one.
  const wrapped = WRAPPED.exec(text);
  const inner = wrapped ? (wrapped[2] as string) : text;
  const kept = cutText(inner, keep);
  const ellipsis = kept.length > 0 ? '…' : '';
  const marker = SHORTENED_MARKER(inner.length - kept.length);
  return wrapped
    ? `${wrapped[1]}${kept}${ellipsis}${wrapped[3]}\n${marker}`
    : `${kept}${ellipsis}\n${marker}`;
}

function resultText(content: ToolResult['content']): { text: string; other: number } {
  if (content === undefined) return { text: '', other: 0 };
  if (typeof content === 'string') return { text: content, other: 0 };
  const texts = content.flatMap((block) => (block.type === 'text' ? [block.text] : []));
  return { text: texts.join('\n'), other: content.length - texts.length };
}

function shortenedResult(block: ToolResult, keep: number, above: number): ToolResult {
  const { text, other } = resultText(block.content);
  if (text.length <= above && other === 0) return block;
  const images = other > 0 ? `\n[${other} non-text part(s) of this tool result elided]` : '';
  const content = text.length <= above ? text : shortenedText(text, keep);
  return { ...block, content: `${content}${images}` };
}

/** The message with its tool results cut to `keep` characters; the same one if none was. */
function shortenedResults(message: MessageParam, keep: number, above: number): MessageParam {
  if (message.role !== 'user' || typeof message.content === 'string') return message;
  let cache = shortenedMessages.get(message);
  const key = keep * 1_000_000 + above;
  const cached = cache?.get(key);
  if (cached) return cached;
  let changed = false;
  const content = message.content.map((block) => {
    if (block.type !== 'tool_result') return block;
    const shorter = shortenedResult(block, keep, above);
    if (shorter !== block) changed = true;
    return shorter;
  });
  const result: MessageParam = changed ? { role: 'user', content } : message;
  if (!cache) {
    cache = new Map();
    shortenedMessages.set(message, cache);
  }
  cache.set(key, result);
  return result;
}

// ---- Summarising the oldest turns --------------------------------------------------------

function blocksOf(content: MessageParam['content']): Block[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function textsOf(message: MessageParam | undefined): string {
  if (!message) return '';
  return blocksOf(message.content)
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join(' ');
}

/** Where each earlier turn starts: a user message with words in it, after an assistant's. */
function turnStarts(messages: readonly MessageParam[], end: number): number[] {
  const starts = [0];
  for (let index = 1; index < end; index++) {
    const message = messages[index] as MessageParam;
    if (message.role !== 'user' || messages[index - 1]?.role !== 'assistant') continue;
    if (blocksOf(message.content).some((block) => block.type === 'text')) starts.push(index);
  }
  return starts;
}

const oneLine = (text: string) => text.replace(/\s+/gu, ' ').trim();
const cutLine = (text: string, limit: number) => {
  const line = oneLine(text);
  const kept = cutText(line, limit);
  return kept.length < line.length ? `${kept}…` : kept;
};

interface TurnLines {
  prompt: string;
  answer: string;
}

/** One turn's prompt line and answer line, from its own messages only. */
function linesOf(turn: readonly MessageParam[], seq: number): TurnLines {
  const tools = turn.flatMap((message) =>
    message.role === 'assistant'
      ? blocksOf(message.content).flatMap((block) =>
          block.type === 'tool_use' ? [block.name] : [],
        )
      : [],
  );
  const lastAnswer = turn.findLast((message) => message.role === 'assistant');
  const called = tools.length > 0 ? ` (tools called: ${[...new Set(tools)].join(', ')})` : '';
  return {
    prompt: `Turn ${seq}: ${cutLine(textsOf(turn[0]), CONTEXT_LIMITS.summaryPromptChars)}`,
    answer: `Turn ${seq}${called}: ${cutLine(textsOf(lastAnswer), CONTEXT_LIMITS.summaryAnswerChars)}`,
  };
}

const turnLines = new WeakMap<object, { last: MessageParam; seq: number; lines: TurnLines }>();

/** linesOf, once per stored turn (the loop asks again at every step of a long turn). */
function cachedLinesOf(turn: readonly MessageParam[], seq: number): TurnLines {
  const first = turn[0] as MessageParam;
  const last = turn.at(-1) as MessageParam;
  const cached = turnLines.get(first);
  if (cached && cached.last === last && cached.seq === seq) return cached.lines;
  const lines = linesOf(turn, seq);
  turnLines.set(first, { last, seq, lines });
  return lines;
}

function withoutResults(message: MessageParam): MessageParam {
  if (typeof message.content === 'string') return message;
  const words = message.content.filter((block) => block.type !== 'tool_result');
  return words.length === message.content.length ? message : { role: 'user', content: words };
}

/**
 * Replaces the fewest oldest turns that make `excess` tokens fit with one user message (their
 * prompts) and one assistant message (their tools and answers). If even all of them summarised
 * is too big, the oldest are left out of the summary too, and the summary says which. Nothing,
 * when a summary would not make the request smaller.
 */
function summariseOldest(
  out: MessageParam[],
  whole: MessageParam[],
  currentStart: number,
  excess: number,
): { out: MessageParam[]; whole: MessageParam[]; currentStart: number; change: number } | null {
  const starts = turnStarts(whole, currentStart);
  const count = starts.length;
  const endOf = (turn: number) => starts[turn + 1] ?? currentStart;
  const lines: TurnLines[] = [];
  const lineTokens: number[] = [];
  let removed = 0;
  let summary =
    estimateTokens(SUMMARY_MARKER(count, count) + SUMMARY_ANSWERS_MARKER(count, count)) + 24;
  // The fewest oldest turns whose summary saves enough.
  let turns = 0;
  while (turns < count && removed - summary < excess) {
    for (let index = starts[turns] as number; index < endOf(turns); index++) {
      removed += messageTokenEstimate(out[index] as MessageParam);
    }
    const line = cachedLinesOf(whole.slice(starts[turns], endOf(turns)), turns + 1);
    lines.push(line);
    lineTokens.push(estimateTokens(line.prompt) + estimateTokens(line.answer) + 2);
    summary += lineTokens[turns] as number;
    turns++;
  }
  // Still too big with every turn summarised: the oldest lines go too.
  let firstLine = 0;
  while (firstLine < turns && removed - summary < excess) {
    summary -= lineTokens[firstLine] as number;
    firstLine++;
  }
  if (removed - summary <= 0) return null;

  const kept = lines.slice(firstLine);
  const leftOut = firstLine > 0 ? [LEFT_OUT(1, firstLine)] : [];
  const pair: MessageParam[] = [
    {
      role: 'user',
      content: [SUMMARY_MARKER(1, turns), ...leftOut, ...kept.map((line) => line.prompt)].join(
        '\n',
      ),
    },
    {
      role: 'assistant',
      content: [SUMMARY_ANSWERS_MARKER(1, turns), ...kept.map((line) => line.answer)].join('\n'),
    },
  ];
  const cut = endOf(turns - 1);
  const restOut = out.slice(cut);
  const restWhole = whole.slice(cut);
  // A turn a crash cut off has its calls answered in the next turn's first message (history.ts):
  // those answers go with the calls they answer.
  if (cut < currentStart) {
    restOut[0] = withoutResults(restOut[0] as MessageParam);
    restWhole[0] = withoutResults(restWhole[0] as MessageParam);
  }
  const size = (list: MessageParam[]) =>
    list.reduce((sum, message) => sum + messageTokenEstimate(message), 0);
  const before = size(out);
  const result = [...pair, ...restOut];
  return {
    out: result,
    whole: [...pair, ...restWhole],
    currentStart: currentStart - cut + 2,
    change: size(result) - before,
  };
}
