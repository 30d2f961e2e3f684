// The security guide's "Monitoring": watch every audit event and raise an alert for
//   • multiple failed operations   • access to blocked paths
//   • unusual API call patterns    • commands containing sensitive keywords
// The audit log calls `observe` for every event it records, so it is synchronous, does a
// constant amount of work per event (apart from scanning one command for keywords) and keeps
// a fixed amount of state however long the app runs.
//
// How events map to rules (settings are the `monitoring` config section, re-read on every
// call so that `omnipalm config set monitoring.…` applies to the very next event):
//
// failed_operations — a failure is `kind: 'error'`, a `tool_result` whose status is error,
//   failed or denied, or a `policy` event with `decision: 'deny'`. When the failures in the
//   last `failed_operations_window_seconds` reach `failed_operations_threshold`, one alert;
//   the rule re-arms once the count in the window has dropped below the threshold again, so
//   a steady stream of failures raises one alert per crossing, not one per failure.
//   At most 10 000 failure times are kept: a larger threshold behaves as 10 000.
//
// blocked_path — a `policy` deny whose `fields.rule` is security.blocked_paths or
//   builtin.blocked_paths, or an `error` with `fields.sandbox_violation` (the OS sandbox
//   stopped the process). Every attempt alerts while `alert_on_blocked_path` is true: each
//   one is a sign that something (often injected content) is probing for secrets. The path
//   comes from `fields.path` or `fields.target`. Such an event also counts as a failure.
//
// api_burst — an API call is `kind: 'api_call'` or a `tool_call` of operation http_request.
//   A burst is when the calls in the last minute reach both `api_burst_min_calls` and
//   `api_burst_factor` × the average per-minute rate of the hour before that minute. The
//   usual rate never counts as less than 1 per minute (no or a quiet history: the first
//   `api_burst_min_calls` calls in a minute can fire); while the monitor has seen less than a
//   minute of history the rate is 1 per minute, and until it has seen an hour the average is
//   over the minutes it has seen. One alert per burst: the rule re-arms when the last
//   minute's calls fall below half the burst threshold — without that margin, calls hovering
//   around the threshold would raise an alert every few seconds. Calls are counted per
//   second in a fixed ring of 61 minutes, so "the last minute" is exact to the second.
//
// sensitive_keyword — the command of a `tool_call` of operation execute_shell or deploy
//   (`fields.command`) and the text of a `user_command`. Any `sensitive_keywords` entry,
//   case-insensitively, with any run of whitespace matching a space. An entry with `|` is a
//   pipeline: each part must appear in order, separated by a pipe within one command
//   (not across `;`, `&&`, `||` or a new line), with anything in between — so 'curl | sh'
//   matches `curl -fsSL https://x | sudo sh` but not `curl x; echo | sh`, and its parts
//   match whole words ('sh' is not 'shasum'). The alert names the keywords, never the command
//   itself: the command may hold the very secret the keyword is about.
//
// Not counted: `alert` events (alerts never raise alerts). With `enabled: false` nothing is
// recorded and nothing alerts. Times come from the injected clock (default: monotonic
// `performance.now()`), not from `event.time`: the monitor judges when it saw events, and a
// clock that goes backwards is treated as standing still.
import type { OmniPalmConfig } from '../config/schema.js';
import type { AuditEvent, AuditFieldValue } from './auditEvent.js';

export type MonitoringSettings = OmniPalmConfig['monitoring'];

export type AlertRule = 'failed_operations' | 'blocked_path' | 'api_burst' | 'sensitive_keyword';

export interface Alert {
  rule: AlertRule;
  /** One line a user understands, naming the threshold and the config key behind it. */
  message: string;
  /** Machine-readable details; never the command that matched a keyword. */
  fields: Record<string, string | number>;
  /** The event that raised it (may hold a secret: log `message` and `fields`, not this). */
  event: AuditEvent;
}

export interface MonitorOptions {
  /** The `monitoring` config section, read on every call so that changes apply at once. */
  settings: () => MonitoringSettings;
  /** Milliseconds on a clock that only needs to measure intervals. */
  now?: () => number;
}

/** Most failure times kept: the memory bound of the failed_operations rule. */
export const FAILURE_HISTORY_CAP = 10_000;

const FAILED_STATUSES = new Set(['error', 'failed', 'denied']);
const BLOCKED_PATH_RULES = new Set(['security.blocked_paths', 'builtin.blocked_paths']);
const COMMAND_OPERATIONS = new Set(['execute_shell', 'deploy']);
const RECENT_SECONDS = 60;
const HISTORY_SECONDS = 3600;
const MAX_PATH_IN_MESSAGE = 200;

export class Monitor {
  private readonly settings: () => MonitoringSettings;
  private readonly clock: () => number;
  private readonly startedAt: number;
  private lastTime: number;
  private readonly failures = new TimestampRing(FAILURE_HISTORY_CAP);
  private failuresArmed = true;
  private readonly apiCalls: PerSecondCounter;
  private apiArmed = true;
  private readonly keywords = new KeywordMatcher();

  constructor(options: MonitorOptions) {
    this.settings = options.settings;
    this.clock = options.now ?? (() => performance.now());
    this.startedAt = this.clock();
    this.lastTime = this.startedAt;
    this.apiCalls = new PerSecondCounter(this.startedAt);
  }

  /** The alerts this event raises — usually none. */
  observe(event: AuditEvent): Alert[] {
    if (event.kind === 'alert') return [];
    const settings = this.settings();
    if (!settings.enabled) return [];
    const now = this.tick();
    const alerts: Alert[] = [];
    if (isFailure(event)) this.checkFailures(event, settings, now, alerts);
    if (settings.alert_on_blocked_path) this.checkBlockedPath(event, alerts);
    if (isApiCall(event)) this.checkApiBurst(event, settings, now, alerts);
    this.checkKeywords(event, settings, alerts);
    return alerts;
  }

  /** What the monitor holds on to (for tests and diagnostics): stays bounded. */
  retained(): { failureTimes: number; apiCallSeconds: number; keywordPatterns: number } {
    return {
      failureTimes: this.failures.size,
      apiCallSeconds: this.apiCalls.slots,
      keywordPatterns: this.keywords.size,
    };
  }

  private tick(): number {
    this.lastTime = Math.max(this.lastTime, this.clock());
    return this.lastTime;
  }

  private checkFailures(
    event: AuditEvent,
    settings: MonitoringSettings,
    now: number,
    alerts: Alert[],
  ): void {
    const windowSeconds = settings.failed_operations_window_seconds;
    const threshold = Math.min(settings.failed_operations_threshold, FAILURE_HISTORY_CAP);
    this.failures.dropUpTo(now - windowSeconds * 1000);
    if (this.failures.size < threshold) this.failuresArmed = true;
    this.failures.push(now);
    const count = this.failures.size;
    if (!this.failuresArmed || count < threshold) return;
    this.failuresArmed = false;
    alerts.push({
      rule: 'failed_operations',
      message:
        `${count} operations failed within ${windowSeconds} s ` +
        `(monitoring.failed_operations_threshold: ${settings.failed_operations_threshold} ` +
        `within monitoring.failed_operations_window_seconds: ${windowSeconds})`,
      fields: {
        failures: count,
        threshold: settings.failed_operations_threshold,
        window_seconds: windowSeconds,
      },
      event,
    });
  }

  private checkBlockedPath(event: AuditEvent, alerts: Alert[]): void {
    const fields = event.fields ?? {};
    const policyRule =
      event.kind === 'policy' &&
      event.decision === 'deny' &&
      typeof fields.rule === 'string' &&
      BLOCKED_PATH_RULES.has(fields.rule)
        ? fields.rule
        : undefined;
    const sandbox = event.kind === 'error' && isSet(fields.sandbox_violation);
    if (policyRule === undefined && !sandbox) return;
    const target = [fields.path, fields.target].find(isSet);
    const path = target === undefined ? undefined : String(target);
    const what = path === undefined ? 'a blocked path' : `blocked path ${oneLine(path)}`;
    const rule = policyRule ?? 'sandbox';
    alerts.push({
      rule: 'blocked_path',
      message:
        `${sandbox ? 'The sandbox stopped' : 'Policy denied'} an attempt to reach ${what} ` +
        `(${rule}; alerting because monitoring.alert_on_blocked_path is true)`,
      fields: { blocked_by: rule, ...(path === undefined ? {} : { path }) },
      event,
    });
  }

  private checkApiBurst(
    event: AuditEvent,
    settings: MonitoringSettings,
    now: number,
    alerts: Alert[],
  ): void {
    this.apiCalls.advanceTo(now);
    const minutesSeen = Math.min(HISTORY_SECONDS / 60, (now - this.startedAt) / 60_000 - 1);
    const usualPerMinute = minutesSeen < 1 ? 1 : Math.max(1, this.apiCalls.history / minutesSeen);
    const threshold = Math.max(
      settings.api_burst_min_calls,
      settings.api_burst_factor * usualPerMinute,
    );
    if (this.apiCalls.recent < threshold / 2) this.apiArmed = true;
    this.apiCalls.add();
    const calls = this.apiCalls.recent;
    if (!this.apiArmed || calls < threshold) return;
    this.apiArmed = false;
    const usual = round(usualPerMinute);
    alerts.push({
      rule: 'api_burst',
      message:
        `${calls} API calls in the last minute, a burst over ${round(threshold)} ` +
        `(monitoring.api_burst_min_calls: ${settings.api_burst_min_calls}; ` +
        `monitoring.api_burst_factor: ${settings.api_burst_factor} × the usual ${usual} per minute)`,
      fields: {
        calls_last_minute: calls,
        usual_per_minute: usual,
        threshold: round(threshold),
        min_calls: settings.api_burst_min_calls,
        factor: settings.api_burst_factor,
      },
      event,
    });
  }

  private checkKeywords(event: AuditEvent, settings: MonitoringSettings, alerts: Alert[]): void {
    const source = commandSource(event);
    if (source === undefined) return;
    const matched = this.keywords.match(source.text, settings.sensitive_keywords);
    if (matched.length === 0) return;
    const quoted = matched.map((keyword) => `"${oneLine(keyword)}"`).join(', ');
    alerts.push({
      rule: 'sensitive_keyword',
      message:
        `${source.label} contains sensitive keyword${matched.length > 1 ? 's' : ''} ${quoted} ` +
        `(monitoring.sensitive_keywords)`,
      fields: { keywords: matched.join(', '), source: source.kind },
      event,
    });
  }
}

/** The audit event to record for an alert: message and fields, never the triggering event. */
export function alertAuditEvent(alert: Alert): AuditEvent {
  return {
    kind: 'alert',
    level: 'WARN',
    name: `monitor.${alert.rule}`,
    text: alert.message,
    fields: { ...alert.fields },
    ...(alert.event.taskId === undefined ? {} : { taskId: alert.event.taskId }),
  };
}

function isFailure(event: AuditEvent): boolean {
  if (event.kind === 'error') return true;
  if (event.kind === 'policy') return event.decision === 'deny';
  if (event.kind === 'tool_result')
    return event.status !== undefined && FAILED_STATUSES.has(event.status.toLowerCase());
  return false;
}

function isApiCall(event: AuditEvent): boolean {
  return (
    event.kind === 'api_call' || (event.kind === 'tool_call' && event.operation === 'http_request')
  );
}

function commandSource(
  event: AuditEvent,
): { kind: string; label: string; text: string } | undefined {
  if (event.kind === 'user_command') {
    return event.text
      ? { kind: 'user_command', label: 'User command', text: event.text }
      : undefined;
  }
  if (event.kind !== 'tool_call' || !COMMAND_OPERATIONS.has(event.operation ?? ''))
    return undefined;
  const command = event.fields?.command;
  if (!isSet(command)) return undefined;
  const label = event.operation === 'deploy' ? 'Deploy command' : 'Shell command';
  return { kind: event.operation ?? '', label, text: String(command) };
}

function isSet(value: AuditFieldValue | undefined): value is string | number | true {
  return value !== undefined && value !== null && value !== false && value !== '';
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Control and line-separator characters escaped, long values cut: the message stays one line. */
function oneLine(text: string): string {
  const cut = text.length > MAX_PATH_IN_MESSAGE ? `${text.slice(0, MAX_PATH_IN_MESSAGE)}…` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (character) => {
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** The most recent times, oldest first, in a fixed buffer: memory never grows. */
class TimestampRing {
  private readonly times: Float64Array;
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(time: number): void {
    const capacity = this.times.length;
    if (this.count === capacity) {
      this.start = (this.start + 1) % capacity;
      this.count--;
    }
    this.times[(this.start + this.count) % capacity] = time;
    this.count++;
  }

  /** Forgets every time at or before `cutoff`. */
  dropUpTo(cutoff: number): void {
    while (this.count > 0 && this.times[this.start]! <= cutoff) {
      this.start = (this.start + 1) % this.times.length;
      this.count--;
    }
  }
}

/**
 * Calls per second over the last 61 minutes, in a ring of counters, with running sums for
 * the last minute (`recent`) and the hour before it (`history`).
 */
class PerSecondCounter {
  readonly slots = RECENT_SECONDS + HISTORY_SECONDS;
  private readonly counts = new Float64Array(this.slots);
  private second: number;
  recent = 0;
  history = 0;

  constructor(startMs: number) {
    this.second = Math.floor(startMs / 1000);
  }

  advanceTo(ms: number): void {
    const target = Math.floor(ms / 1000);
    if (target <= this.second) return;
    if (target - this.second >= this.slots) {
      this.counts.fill(0);
      this.recent = 0;
      this.history = 0;
    } else {
      for (let second = this.second + 1; second <= target; second++) {
        // The slot of this new second still holds the one that leaves the history…
        const reused = this.slot(second);
        this.history -= this.counts[reused]!;
        this.counts[reused] = 0;
        // …and the second a minute ago leaves the last minute for the history.
        const aged = this.counts[this.slot(second - RECENT_SECONDS)]!;
        this.recent -= aged;
        this.history += aged;
      }
    }
    this.second = target;
  }

  add(): void {
    this.counts[this.slot(this.second)]! += 1;
    this.recent++;
  }

  private slot(second: number): number {
    return ((second % this.slots) + this.slots) % this.slots;
  }
}

/**
 * Compiled `sensitive_keywords`, recompiled only when the list changes. Matching is linear in
 * the command: plain keywords are one regular expression each without nested repetition, and
 * pipelines are matched part by part (the earliest match of each part leaves the most room
 * for the rest, so one forward pass is enough).
 */
class KeywordMatcher {
  private list: readonly string[] | undefined;
  private key: string | undefined;
  private patterns: { keyword: string; parts: (RegExp | undefined)[] }[] = [];

  get size(): number {
    return this.patterns.length;
  }

  match(text: string, keywords: readonly string[]): string[] {
    this.compile(keywords);
    const matched: string[] = [];
    let commands: string[] | undefined;
    for (const { keyword, parts } of this.patterns) {
      if (parts.length === 1) {
        if (parts[0]!.test(text)) matched.push(keyword);
        continue;
      }
      // A pipe joins the parts only within one command: `a; b`, `a && b`, `a || b` are two.
      commands ??= text.split(/\n|;|&&|\|\|/);
      if (commands.some((command) => matchesPipeline(command, parts))) matched.push(keyword);
    }
    return matched;
  }

  private compile(keywords: readonly string[]): void {
    if (keywords === this.list) return;
    const key = keywords.join('\u0000');
    this.list = keywords;
    if (key === this.key) return;
    this.key = key;
    // A blank keyword would match every command: it is a typo, not a keyword.
    this.patterns = keywords
      .filter((keyword) => keyword.trim() !== '')
      .map((keyword) => {
        if (!keyword.includes('|')) return { keyword, parts: [keywordPattern(keyword, false)!] };
        return { keyword, parts: keyword.split('|').map((part) => keywordPattern(part, true)) };
      });
  }
}

/** Case-insensitive, any whitespace for a space; pipeline parts also match whole words. */
function keywordPattern(keyword: string, wholeWords: boolean): RegExp | undefined {
  const trimmed = keyword.trim();
  if (trimmed === '') return undefined;
  const body = trimmed
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('\\s+');
  if (!wholeWords) return new RegExp(body, 'i');
  const before = /^\w/.test(trimmed) ? '\\b' : '';
  const after = /\w$/.test(trimmed) ? '\\b' : '';
  return new RegExp(`${before}${body}${after}`, 'gi');
}

/** Each part in order, a pipe between consecutive parts; an empty part matches anything. */
function matchesPipeline(command: string, parts: (RegExp | undefined)[]): boolean {
  let position = 0;
  for (const [index, part] of parts.entries()) {
    if (index > 0) {
      const pipe = command.indexOf('|', position);
      if (pipe === -1) return false;
      position = pipe + 1;
    }
    if (part === undefined) continue;
    part.lastIndex = position;
    const found = part.exec(command);
    if (found === null) return false;
    position = found.index + found[0].length;
  }
  return true;
}
