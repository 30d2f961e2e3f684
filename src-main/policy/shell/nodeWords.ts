// Words: from syntax nodes to the strings a program would receive.
import type { Node } from 'web-tree-sitter';
import type { Word } from './argv.js';

interface WordBuilder extends Word {
  /** Unquoted, unescaped characters, where brace expansion can happen. */
  bare: string;
  /**
   * One mark per character of `value`: `u` unquoted, `q` quoted or escaped, `x` an expansion
   * as written. Tilde expansion needs the leading `~name` unquoted.
   */
  marks: string;
}

export function wordOf(node: Node): Word {
  const builder: WordBuilder = { value: '', literal: true, pattern: false, bare: '', marks: '' };
  append(node, builder, false);
  // `/etc/{passwd,shadow}` and `{1..3}` become several words the guard never sees.
  if (/\{[^{}]*(,|\.\.)[^{}]*\}/.test(builder.bare)) builder.pattern = true;
  const { bare: _bare, marks, ...word } = builder;
  if (node.type === 'process_substitution') word.pipe = true;
  if (literalTilde(word.value, marks)) word.literalTilde = true;
  return word;
}

/**
 * Whether a leading `~` stays a literal character: bash expands `~` and `~name` only when no
 * character before the first `/` was quoted or escaped (`"~/x"`, `\~/x`, `~"root"/x` stay).
 */
function literalTilde(value: string, marks: string): boolean {
  if (!value.startsWith('~')) return false;
  // The prefix ends at the first unquoted '/': in `~root"/x"` it is the whole word.
  let end = 0;
  while (end < value.length && !(value[end] === '/' && marks[end] !== 'q')) end++;
  return marks.slice(0, end).includes('q');
}

function add(word: WordBuilder, text: string, mark: 'u' | 'q' | 'x'): void {
  word.value += text;
  word.marks += mark.repeat(text.length);
}

function append(node: Node, word: WordBuilder, quoted: boolean): void {
  switch (node.type) {
    case 'word':
    case 'number':
      return appendUnquoted(node.text, word);
    case 'raw_string':
      return add(word, node.text.slice(1, -1), 'q');
    case 'ansi_c_string':
      return add(word, decodeAnsiC(node.text.slice(2, -1)), 'q');
    case 'string':
    case 'translated_string':
    case 'concatenation':
    case 'command_name': {
      const inside = quoted || node.type === 'string' || node.type === 'translated_string';
      for (const child of node.children) {
        if (child.type === '"' || child.type === '$"') continue;
        if (child.type === 'string_content') {
          const text = child.text.replace(/\\([$`"\\\n])/g, (_, c: string) =>
            c === '\n' ? '' : c,
          );
          add(word, text, 'q');
        } else if (child.isNamed) append(child, word, inside);
        else add(word, child.text, inside ? 'q' : 'u'); // a lone '$' is literal
      }
      return;
    }
    case 'brace_expression':
      word.pattern = true;
      return add(word, node.text, 'u');
    case 'command_substitution':
      word.substitution = true;
      break;
  }
  // Expansions and substitutions: only known at run time. Keep them as written.
  word.literal = false;
  add(word, node.text, quoted ? 'q' : 'x');
}

function appendUnquoted(text: string, word: WordBuilder): void {
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      const escaped = text[++i]!;
      if (escaped !== '\n') add(word, escaped, 'q');
      word.bare += '_';
      continue;
    }
    if ('*?['.includes(char)) word.pattern = true;
    add(word, char, 'u');
    word.bare += char;
  }
}

const ANSI_C: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** $'…' strings: `$'\x72m'` is `rm`, so decoding is part of seeing the real program name. */
function decodeAnsiC(body: string): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)/gs,
    (_, escape: string) => {
      const head = escape[0]!;
      if (head === 'x' || head === 'u' || head === 'U') {
        const code = parseInt(escape.slice(1), 16);
        return code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      }
      if (/[0-7]/.test(head)) return String.fromCharCode(parseInt(escape, 8) & 0xff);
      if (head === 'c') return String.fromCharCode(escape.charCodeAt(1) & 0x1f);
      return ANSI_C[head] ?? (`'"?\\`.includes(head) ? head : `\\${head}`);
    },
  );
}

export function joinWords(left: Word, right: Word): Word {
  return {
    value: left.value + right.value,
    literal: left.literal && right.literal,
    pattern: left.pattern || right.pattern,
    substitution: left.substitution || right.substitution,
    // Only the start of a word decides; a `~` split from its quoted rest expands (the safe way).
    ...((left.value === '' ? right : left).literalTilde ? { literalTilde: true } : {}),
  };
}
