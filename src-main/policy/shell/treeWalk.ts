// Tree walking: tree-sitter nodes into simple commands and redirections, around its quirks.
import type { Node } from 'web-tree-sitter';
import { isStream, type Word } from './argv.js';
import { CommandResolver } from './commandResolver.js';
import { display, summary } from './display.js';
import type { Findings } from './findings.js';
import { joinWords, wordOf } from './nodeWords.js';

const OUTPUT_REDIRECTS = new Set(['>', '>>', '&>', '&>>', '>|', '>&']);

/** Walks one parse tree, turning simple commands and redirections into findings. */
export class Walk {
  /** Words tree-sitter attached to a redirection (`echo > f hi`), by the command they belong to. */
  private readonly extraWords = new Map<number, Word[]>();
  /** Program and preview text of each command node, to label its redirections. */
  private readonly labels = new Map<number, { program: string; detail: string }>();
  /** Heredocs and here-strings by the command they feed: `bash <<'EOF'` runs that text. */
  private readonly heredocs = new Map<number, Word>();
  /** Works out what each simple command found does. */
  private readonly commands: CommandResolver;

  constructor(
    private readonly source: string,
    private readonly findings: Findings,
    nested: (source: string, label: string) => void,
  ) {
    this.commands = new CommandResolver(findings, nested);
  }

  visit(node: Node): void {
    switch (node.type) {
      case 'command':
        return this.command(node);
      case 'redirected_statement':
        return this.redirected(node);
      case 'file_redirect':
      case 'heredoc_redirect':
        return this.redirect(node, { program: 'shell', detail: '' });
      case 'variable_assignment':
        this.commands.assignment(node.childForFieldName('name')?.text ?? '');
        break;
      case 'comment':
        return;
    }
    for (const child of node.namedChildren) this.visit(child);
  }

  private command(node: Node): void {
    const words: Word[] = [];
    const redirects: Node[] = [];
    let previousEnd = -1;
    let previousType = '';
    for (let i = 0; i < node.childCount; i++) {
      const child = node.child(i)!;
      const field = node.fieldNameForChild(i);
      if (field === 'redirect') {
        redirects.push(child);
        continue;
      }
      if (field === 'name' || field === 'argument') {
        const word = wordOf(child);
        const last = words.at(-1);
        const between = this.source.slice(previousEnd, child.startIndex);
        // tree-sitter splits `a\<newline>b` and `$"x"` into two nodes; the shell sees one word
        // (`ab`, and `x`: $"…" is a translatable string).
        if (last && (between === '' || between === '\\\n')) {
          words[words.length - 1] = previousType === '$' ? word : joinWords(last, word);
        } else {
          words.push(word);
        }
        previousEnd = child.endIndex;
        previousType = child.type;
      }
      this.visit(child); // substitutions inside words and assignments are commands too
    }
    for (const redirect of redirects) words.push(...attachedWords(redirect));
    words.push(...(this.extraWords.get(node.id) ?? []));
    const stdin = redirects.map(stdinText).find(Boolean) ?? this.heredocs.get(node.id);
    const label = { program: this.commands.record(words, stdin), detail: display(words) };
    this.labels.set(node.id, label);
    for (const redirect of redirects) this.redirect(redirect, label);
  }

  private redirected(node: Node): void {
    const body = node.childForFieldName('body');
    const redirects = node.childrenForFieldName('redirect');
    // `a && b > f` parses as (a && b) > f, but the redirection belongs to b alone.
    const target = body ? lastCommand(body) : undefined;
    const extra = redirects.flatMap(attachedWords);
    if (extra.length > 0) {
      if (target) this.extraWords.set(target.id, extra);
      else this.findings.note('words after a redirection could not be attributed to a command');
    }
    const heredoc = redirects.map(stdinText).find(Boolean);
    if (heredoc && target) this.heredocs.set(target.id, heredoc);
    if (body) this.visit(body);
    const label = (target && this.labels.get(target.id)) ?? {
      program: 'shell',
      detail: body ? summary(body.text) : '',
    };
    for (const redirect of redirects) this.redirect(redirect, label);
  }

  private redirect(node: Node, owner: { program: string; detail: string }): void {
    if (node.type === 'file_redirect') {
      const operator = node.children.find((child) => !child.isNamed)?.type ?? '';
      const destination = node.childrenForFieldName('destination')[0];
      const target = destination ? wordOf(destination) : undefined;
      const duplicate = /^\d+-?$|^-$/.test(target?.value ?? '') && operator.endsWith('&');
      if (target && !duplicate && !target.pipe && !isStream(target.value)) {
        const descriptor = node.childForFieldName('descriptor')?.text ?? '';
        const detail = `${owner.detail} ${descriptor}${operator} ${display([target])}`.trim();
        const kind = OUTPUT_REDIRECTS.has(operator) ? 'write' : operator === '<' ? 'read' : null;
        // bash itself connects `> /dev/tcp/host/port`: a network connection, not a file.
        if (/^\/dev\/(tcp|udp)\//.test(target.value)) {
          this.findings.operation('network', owner.program, [], detail);
        } else if (kind) {
          this.findings.operation(kind, owner.program, [target], detail);
        }
      }
    }
    for (const child of node.namedChildren) {
      if (child.type === 'file_redirect') this.redirect(child, owner);
      else this.visit(child);
    }
  }
}

/** The innermost command a redirection applies to: the body, or the last of a list/pipeline. */
function lastCommand(node: Node): Node | undefined {
  let current: Node | null = node;
  while (current && ['list', 'pipeline', 'negated_command'].includes(current.type)) {
    current = current.lastNamedChild;
  }
  return current?.type === 'command' ? current : undefined;
}

/** The text a heredoc or here-string feeds to standard input; literal if nothing expands. */
function stdinText(redirect: Node): Word | undefined {
  if (redirect.type === 'herestring_redirect') {
    const word = redirect.namedChildren[0];
    return word ? wordOf(word) : undefined;
  }
  const body = redirect.namedChildren.find((child) => child.type === 'heredoc_body');
  if (redirect.type !== 'heredoc_redirect' || !body) return undefined;
  const literal = body.namedChildren.every((child) => child.type === 'heredoc_content');
  return { value: body.text, literal, pattern: false };
}

/** tree-sitter-bash gives `echo > f hi` destinations f and hi: hi is really an argument. */
function attachedWords(redirect: Node): Word[] {
  if (redirect.type === 'file_redirect') {
    return redirect.childrenForFieldName('destination').slice(1).map(wordOf);
  }
  if (redirect.type === 'heredoc_redirect') {
    return redirect.childrenForFieldName('argument').map(wordOf);
  }
  return [];
}
