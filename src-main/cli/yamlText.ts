// YAML text of a value, in a module of its own so that `omnipalm config get` loads yaml only
// for a value that needs it (a string), not for a number, a boolean or a list.
import { stringify } from 'yaml';

export function toYamlText(value: unknown): string {
  return stringify(value).trimEnd();
}
