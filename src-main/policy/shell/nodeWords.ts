// Words: from syntax nodes to the strings a program would receive.
import type { Node } from 'web-tree-sitter';
import type { Word } from './argv.js';

interface WordBuilder extends Word {
  /** Unquoted, unescaped characters, where brace expansion can happen. */
  bare: string;
}

export function wordOf(node: Node): Word {
  const builder: WordBuilder = { value: '', literal: true, pattern: false, bare: '' };
  append(node, builder);
  // `/etc/{passwd,shadow}` and `{1..3}` become several words the guard never sees.
  if (/\{[^{}]*(,|\.\.)[^{}]*\}/.test(builder.bare)) builder.pattern = true;
  const { bare: _bare, ...word } = builder;
  if (node.type === 'process_substitution') word.pipe = true;
  return word;
}

function append(node: Node, word: WordBuilder): void {
  switch (node.type) {
    case 'word':
    case 'number':
      return appendUnquoted(node.text, word);
    case 'raw_string':
      word.value += node.text.slice(1, -1);
      return;
    case 'ansi_c_string':
      word.value += decodeAnsiC(node.text.slice(2, -1));
      return;
    case 'string':
    case 'translated_string':
    case 'concatenation':
    case 'command_name':
      for (const child of node.children) {
        if (child.type === '"' || child.type === '$"') continue;
        if (child.type === 'string_content') {
          word.value += child.text.replace(/\\([$`"\\\n])/g, (_, c: string) =>
            c === '\n' ? '' : c,
          );
        } else if (child.isNamed) append(child, word);
        else word.value += child.text; // a lone '$' is literal
      }
      return;
    case 'brace_expression':
      word.pattern = true;
      word.value += node.text;
      return;
    case 'command_substitution':
      word.substitution = true;
      break;
  }
  // Expansions and substitutions: only known at run time. Keep them as written.
  word.literal = false;
  word.value += node.text;
}

function appendUnquoted(text: string, word: WordBuilder): void {
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      const escaped = text[++i]!;
      if (escaped !== '\n') word.value += escaped;
      word.bare += '_';
      continue;
    }
    if ('*?['.includes(char)) word.pattern = true;
    word.value += char;
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
  };
}
