// Preview text: commands shown as a user would type them, with nothing hidden in them.
import type { Word } from './argv.js';

const MAX_DETAIL = 200;

/** `while read l; do …; done < list`: the start of a compound command, on one line. */
export function summary(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

// Control characters and bidirectional overrides could make a preview lie about what runs
// (terminal escapes in the CLI, "Trojan Source" reordering in the UI), so they are shown escaped.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

function escapeUnsafe(value: string): string {
  const escaped = [...value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")].map((char) => {
    if (!UNSAFE.test(char)) return char;
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `$'${escaped.join('')}'`;
}

export function display(words: readonly Word[]): string {
  const text = words
    .map((word) => {
      if (UNSAFE.test(word.value)) return escapeUnsafe(word.value);
      // Expansions and patterns are shown as written: quoting them would change their meaning.
      if (!word.literal || word.pattern || /^[\w@%+=:,./~^-]+$/.test(word.value)) return word.value;
      return `'${word.value.replaceAll("'", `'\\''`)}'`;
    })
    .join(' ');
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
