// The settings view's calls: the configuration (read, and set one key the way `omnipalm config
// set` does), the keys (where each comes from, store in and remove from the OS keychain), the
// audit log's hash-chain check, and a usage summary read off the timeline.
//
// A saved change applies to the next task: the core reads config.yaml again before each one
// (policy, sandbox, model, integrations). Only the restart-only settings (restartKeys.ts: the
// audit log's, the secret commands, the desktop hotkey) wait for the next start, and the
// answers say so (`restartNeeded`). Keys are resolved on every use, so a stored key is used by
// the next task.
import type { ContractHandlers, RequestOf, ResponseOf } from '../../src-preload/contract.js';
import type { AgentCore } from '../agent/core.js';
import { verifyAuditLog, type VerifyFinding } from '../audit/auditVerify.js';
import { ConfigError, ConfigStore } from '../config/index.js';
import { restartOnlyChanges } from '../config/restartKeys.js';
import type { SecretName } from '../config/schema.js';
import type { TimelineReader } from '../store/timelineStore.js';

/** What the settings handlers use of the core (AgentCore has it all). */
export type SettingsCore = Pick<AgentCore, 'openedWith' | 'home' | 'secrets' | 'trail'>;

export const SETTINGS_CHANNELS = [
  'config.get',
  'config.set',
  'secrets.describe',
  'secrets.store',
  'secrets.remove',
  'audit.verify',
  'usage.summary',
] as const;
export type SettingsChannel = (typeof SETTINGS_CHANNELS)[number];
export type SettingsHandlers = Pick<ContractHandlers, SettingsChannel>;

export interface SettingsHandlersOptions {
  /** Where usage.summary reads (the core handlers' timeline reader). */
  timeline: () => TimelineReader;
  /** Milliseconds since the epoch; for tests. */
  now?: () => number;
}

/** The window usage.summary covers when the call names none. */
export const DEFAULT_USAGE_HOURS = 48;
/** Most timeline events one summary reads: a bound on the time and memory one call can take. */
export const MAX_USAGE_EVENTS = 100_000;
const USAGE_PAGE = 1000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function createSettingsHandlers(
  core: SettingsCore,
  options: SettingsHandlersOptions,
): SettingsHandlers {
  const now = options.now ?? Date.now;
  const store = new ConfigStore(core.home);
  return {
    'config.get': () => {
      const config = store.load();
      return {
        config: config as unknown as Record<string, unknown>,
        file: store.file,
        exists: store.exists(),
        restartNeeded: restartOnlyChanges(core.openedWith, config).length > 0,
      };
    },
    'config.set': (request) => setConfig(core, store, request),
    'secrets.describe': () => describeSecrets(core, now()),
    'secrets.store': (request) => storeSecret(core, request),
    'secrets.remove': ({ name }) => removeSecret(core, name),
    'audit.verify': () => verifyAudit(core),
    'usage.summary': ({ hours }) =>
      summarizeUsage(options.timeline(), hours ?? DEFAULT_USAGE_HOURS, now()),
  };
}

function setConfig(
  core: SettingsCore,
  store: ConfigStore,
  { key, value }: RequestOf<'config.set'>,
): ResponseOf<'config.set'> {
  let result: { previous: unknown; value: unknown };
  try {
    // As JSON text: ConfigStore.set parses YAML, of which JSON is a subset, and a JSON string
    // arrives quoted, so "123" for a text key stays text and "true" for a switch stays text
    // (and is refused) — the UI's value is taken exactly as typed, never reinterpreted.
    result = store.set(key, JSON.stringify(value));
  } catch (error) {
    // Unknown key (with its did-you-mean), a value the schema refuses, a key pasted into the
    // config: the user's mistake, shown in the editor. Anything else is a failure of ours.
    if (error instanceof ConfigError) return { ok: false, error: error.message };
    throw error;
  }
  // The same event as `omnipalm config set`, through the trail so the timeline shows it too.
  core.trail.record({
    kind: 'config',
    name: key,
    fields: {
      old: JSON.stringify(result.previous ?? null),
      new: JSON.stringify(result.value ?? null),
      by: 'user',
      via: 'ui',
    },
  });
  return {
    ok: true,
    value: result.value,
    restartNeeded: restartOnlyChanges(core.openedWith, store.load()).length > 0,
  };
}

function describeSecrets(core: SettingsCore, now: number): ResponseOf<'secrets.describe'> {
  const keychain = core.secrets.available();
  return {
    secrets: core.secrets.list().map(({ name, source, inKeychain, lastSet }) => ({
      name,
      source,
      inKeychain,
      ...(lastSet === undefined
        ? {}
        : {
            lastSet: lastSet.toISOString(),
            ageDays: Math.max(0, Math.floor((now - lastSet.getTime()) / DAY_MS)),
          }),
    })),
    keychain: keychain.available
      ? { available: true }
      : { available: false, reason: keychain.reason },
  };
}

function storeSecret(
  core: SettingsCore,
  { name, value }: RequestOf<'secrets.store'>,
): ResponseOf<'secrets.store'> {
  try {
    core.secrets.set(name, value);
  } catch (error) {
    // Our messages never hold the value; a keychain library's might, so it is cut out.
    return { ok: false, error: withoutValue((error as Error).message, value) };
  }
  recordKeyChange(core, name, 'stored');
  return { ok: true };
}

function removeSecret(core: SettingsCore, name: SecretName): ResponseOf<'secrets.remove'> {
  let removed: boolean;
  try {
    removed = core.secrets.delete(name);
  } catch (error) {
    return { removed: false, error: (error as Error).message };
  }
  if (removed) recordKeyChange(core, name, 'removed');
  return { removed };
}

/** `[config] secrets.<name> change="stored" by="user" via="ui"`: that it changed, never to what. */
function recordKeyChange(core: SettingsCore, name: SecretName, change: 'stored' | 'removed'): void {
  core.trail.record({
    kind: 'config',
    name: `secrets.${name}`,
    fields: { change, by: 'user', via: 'ui' },
  });
}

function withoutValue(message: string, value: string): string {
  return message.split(value).join('[REDACTED]');
}

function verifyAudit(core: SettingsCore): ResponseOf<'audit.verify'> {
  // The log this core writes: logging.* is restart-only, so as the core was opened with it.
  const { file, max_files: maxFiles } = core.openedWith.logging;
  const result = verifyAuditLog(file!, { maxFiles });
  const finding = ({ file: where, line, message }: VerifyFinding) => ({
    file: where,
    line,
    reason: message,
  });
  return {
    ok: result.ok,
    lines: result.lines,
    files: result.files.length,
    lastSeq: result.lastSeq,
    ...(result.problem ? { firstBad: finding(result.problem) } : {}),
    warnings: result.warnings.map(finding),
  };
}

/**
 * Tool calls per hour, and each task's cost: the sum of the costUsd its events carry (each
 * event carries its own share, so a total recorded once per task is counted once). Newest
 * first through the timeline's pages until the window's start or MAX_USAGE_EVENTS.
 */
export function summarizeUsage(
  timeline: TimelineReader,
  hours: number,
  now: number,
): ResponseOf<'usage.summary'> {
  const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - (hours - 1) * HOUR_MS;
  const counts = new Array<number>(hours).fill(0);
  const costs = new Map<string, { costUsd: number; endedAt: number }>();
  const lastSeen = new Map<string, number>();
  let scanned = 0;
  let before: number | undefined;
  let truncated = false;
  scan: for (;;) {
    const page = timeline.page({ limit: USAGE_PAGE, ...(before === undefined ? {} : { before }) });
    for (const event of page.events) {
      if (event.time < firstHour) break scan;
      if (scanned >= MAX_USAGE_EVENTS) {
        truncated = true;
        break scan;
      }
      scanned++;
      const slot = Math.floor((event.time - firstHour) / HOUR_MS);
      if (event.kind === 'tool_call' && slot < hours) counts[slot]! += 1;
      if (event.taskId === undefined) continue;
      // Newest first: the first event seen of a task is its last.
      if (!lastSeen.has(event.taskId)) lastSeen.set(event.taskId, event.time);
      if (event.costUsd !== undefined) {
        const entry = costs.get(event.taskId) ?? {
          costUsd: 0,
          endedAt: lastSeen.get(event.taskId)!,
        };
        entry.costUsd += event.costUsd;
        costs.set(event.taskId, entry);
      }
    }
    if (page.nextCursor === undefined) break;
    before = page.nextCursor;
  }
  return {
    actionsPerHour: counts.map((count, index) => ({ hour: firstHour + index * HOUR_MS, count })),
    costPerTask: [...costs]
      .map(([taskId, entry]) => ({ taskId, ...entry }))
      .sort((a, b) => a.endedAt - b.endedAt),
    truncated,
  };
}
