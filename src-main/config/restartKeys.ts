// Which settings a running OmniPalm applies at its next task and which only at its next start.
// The policy (paths, capabilities, confirmations, read-only, rate limits, stop conditions), the
// sandbox, the model and integrations are read again before each task; the audit log's
// settings, the secret commands and the desktop hotkey are set up once, when the app starts.
import type { OmniPalmConfig } from './schema.js';

export const RESTART_KEYS = ['logging', 'secrets', 'ui', 'security.log_all_actions'] as const;

export function valueAt(config: unknown, key: string): unknown {
  let value: unknown = config;
  for (const part of key.split('.')) {
    value =
      value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/** The restart-only keys whose values differ between the two configurations. */
export function restartOnlyChanges(running: OmniPalmConfig, saved: OmniPalmConfig): string[] {
  return RESTART_KEYS.filter(
    (key) => JSON.stringify(valueAt(running, key)) !== JSON.stringify(valueAt(saved, key)),
  );
}
