// The config keys, read off the schema itself so that `config get/set`, "did you mean" and the
// reference in docs/configuration.md can never drift from what is actually validated.
import type { z } from 'zod';
import { configSchema } from './schema.js';

type AnySchema = z.ZodType;

interface SchemaDef {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  entries?: Record<string, string>;
  defaultValue?: unknown;
}

const defOf = (schema: AnySchema): SchemaDef =>
  (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** Strips default/prefault/optional wrappers down to the schema that judges the value. */
export function unwrapSchema(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (!['default', 'prefault', 'optional', 'nullable'].includes(def.type) || !def.innerType) {
      return current;
    }
    current = def.innerType;
  }
}

export interface ConfigKey {
  key: string;
  type: string;
  description: string;
  schema: AnySchema;
}

/** A human name for a leaf's type, for docs and error messages. */
export function describeType(schema: AnySchema): string {
  const def = defOf(unwrapSchema(schema));
  switch (def.type) {
    case 'array':
      return `list of ${describeType(def.element!)}`;
    case 'enum':
      return Object.values(def.entries ?? {})
        .map((value) => JSON.stringify(value))
        .join(' | ');
    default:
      return def.type;
  }
}

function collect(schema: AnySchema, prefix: string, out: ConfigKey[]): void {
  const inner = unwrapSchema(schema);
  const def = defOf(inner);
  if (def.type === 'object' && def.shape) {
    for (const [name, child] of Object.entries(def.shape)) {
      collect(child, prefix ? `${prefix}.${name}` : name, out);
    }
    return;
  }
  out.push({
    key: prefix,
    type: describeType(schema),
    description: schema.description ?? '',
    schema,
  });
}

export const CONFIG_KEYS: readonly ConfigKey[] = (() => {
  const out: ConfigKey[] = [];
  collect(configSchema, '', out);
  return out;
})();

/** Every key, leaves and sections ("security", "security.rate_limits"), in schema order. */
export const ALL_KEYS: readonly string[] = (() => {
  const names = new Set<string>();
  for (const { key } of CONFIG_KEYS) {
    const parts = key.split('.');
    for (let i = 1; i <= parts.length; i++) names.add(parts.slice(0, i).join('.'));
  }
  return [...names];
})();

/** The schema for a dotted key, or undefined when no such key exists. */
export function schemaAt(key: string): AnySchema | undefined {
  let current: AnySchema = configSchema;
  for (const part of key.split('.')) {
    const def = defOf(unwrapSchema(current));
    const next = def.type === 'object' ? def.shape?.[part] : undefined;
    if (!next) return undefined;
    current = next;
  }
  return current;
}

export function isSection(key: string): boolean {
  const schema = schemaAt(key);
  return schema !== undefined && defOf(unwrapSchema(schema)).type === 'object';
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(
        above + 1,
        previous[j - 1]! + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The closest real key to a mistyped one, if any is close enough to be a plausible typo. */
export function suggestKey(wrong: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  const lastPart = wrong.split('.').pop() ?? wrong;
  for (const key of ALL_KEYS) {
    const distance = Math.min(
      editDistance(wrong, key),
      // "alowed_paths" alone should still find security.allowed_paths.
      editDistance(lastPart, key.split('.').pop() ?? key) + (wrong.includes('.') ? 2 : 0),
    );
    if (!best || distance < best.distance) best = { key, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(wrong.length / 4)) ? best.key : undefined;
}

/** The map-valued key (llm.prices, integrations.mcp.servers) that `key` reaches inside, if any. */
function mapKeyAbove(key: string): string | undefined {
  const parts = key.split('.');
  for (let length = parts.length - 1; length >= 1; length--) {
    const prefix = parts.slice(0, length).join('.');
    const schema = schemaAt(prefix);
    if (schema !== undefined && defOf(unwrapSchema(schema)).type === 'record') return prefix;
  }
  return undefined;
}

export function unknownKeyMessage(key: string): string {
  const map = mapKeyAbove(key);
  if (map !== undefined) {
    return `config key "${key}" is inside the map ${map}, which is set whole: omnipalm config set ${map} '{"name": {…}}' (see omnipalm config get ${map} --json for its entries)`;
  }
  const suggestion = suggestKey(key);
  return `unknown config key "${key}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
}
