// A small glob matcher (Node 20 has no fs.glob): `*`, `?`, `**` and character classes, on
// "/"-separated relative paths. Wildcards never match a leading "." in a name, so a pattern
// like `logs/*` cannot sweep up `.env` or `.git` by accident; name them explicitly instead.

const GLOB_CHARACTERS = /[*?[]/;

/** True when `pattern` contains a wildcard or a character class. */
export function hasGlob(pattern: string): boolean {
  return GLOB_CHARACTERS.test(pattern);
}

function escapeRegExp(character: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(character) ? `\\${character}` : character;
}

/** Translates `[...]` starting at `start`; returns the regexp text and the index after `]`. */
function characterClass(pattern: string, start: number): { source: string; end: number } | null {
  let index = start + 1;
  let negated = false;
  if (pattern[index] === '!' || pattern[index] === '^') {
    negated = true;
    index++;
  }
  let body = '';
  // A "]" right after the opening bracket is a literal member, as in POSIX globs.
  if (pattern[index] === ']') {
    body += '\\]';
    index++;
  }
  for (; index < pattern.length; index++) {
    const character = pattern[index]!;
    if (character === ']') {
      // A class never matches "/": it would let one segment's pattern span folders.
      return { source: negated ? `[^/${body}]` : `(?!/)[${body}]`, end: index + 1 };
    }
    body +=
      character === '\\' || character === '^' || character === '[' ? `\\${character}` : character;
  }
  return null;
}

function segmentToRegExp(segment: string): string {
  let source = '';
  for (let index = 0; index < segment.length;) {
    const character = segment[index]!;
    const atStart = index === 0;
    if (character === '*') {
      while (segment[index] === '*') index++;
      source += atStart ? '(?!\\.)[^/]*' : '[^/]*';
      continue;
    }
    if (character === '?') {
      source += atStart ? '(?!\\.)[^/]' : '[^/]';
      index++;
      continue;
    }
    if (character === '[') {
      const found = characterClass(segment, index);
      if (found) {
        source += (atStart ? '(?!\\.)' : '') + found.source;
        index = found.end;
        continue;
      }
    }
    source += escapeRegExp(character);
    index++;
  }
  return source;
}

/** A RegExp matching whole relative paths ("a/b/c.log") against `pattern`. */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split('/').filter((segment) => segment !== '' && segment !== '.');
  let source = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      // Zero or more folders, none of them hidden.
      source += last ? '(?:(?!\\.)[^/]*(?:/(?!\\.)[^/]*)*)?' : '(?:(?!\\.)[^/]*/)*';
      return;
    }
    source += segmentToRegExp(segment) + (last ? '' : '/');
  });
  return new RegExp(`^${source}$`);
}

/**
 * Splits a pattern into the literal folder it starts from and the glob below it:
 * `~/logs/**\/*.log` → { base: '~/logs', rest: '**\/*.log' }. A pattern with no wildcard has
 * `rest` undefined.
 */
export function splitGlob(pattern: string): { base: string; rest?: string } {
  const parts = pattern.split('/');
  const first = parts.findIndex((part) => hasGlob(part));
  if (first === -1) return { base: pattern };
  const baseParts = parts.slice(0, first);
  const base = baseParts.length === 0 ? '.' : baseParts.join('/') || '/';
  return { base, rest: parts.slice(first).join('/') };
}
