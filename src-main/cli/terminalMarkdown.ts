// The model's answers rendered for a terminal (`omnipalm chat`, `omnipalm sessions show`):
// headings, bold, italics, inline code, lists, quotes, rules, fenced code and tables, line by
// line as the answer streams in (a table waits for its last row, to align its columns).
//
// The answer is text the model wrote, and the model may have been steered by content it read
// (a web page, an email). Written raw, an escape sequence in it could clear the screen, move the
// cursor to overwrite a line the user trusts ("✓ done"), retitle the window or hide text; a
// carriage return could overwrite what came before on the line; bidi overrides could make a
// command read as something else. So every control character is shown as a visible stand-in
// before anything else happens, and the only escape sequences written are this file's own.
// Links are shown with their address (the user sees where a link goes); images are never
// fetched — they show as their alt text and address.

/** SGR styles; empty strings when color is off (NO_COLOR, or output that is not a terminal). */
interface Palette {
  bold: (text: string) => string;
  italic: (text: string) => string;
  dim: (text: string) => string;
  code: (text: string) => string;
  heading: (text: string) => string;
}

function sgr(on: string, off: string): (text: string) => string {
  return (text) => (text === '' ? '' : `\x1b[${on}m${text}\x1b[${off}m`);
}

const COLORS: Palette = {
  bold: sgr('1', '22'),
  italic: sgr('3', '23'),
  dim: sgr('2', '22'),
  code: sgr('36', '39'),
  heading: sgr('1;4', '22;24'),
};
const PLAIN: Palette = {
  bold: (text) => text,
  italic: (text) => text,
  dim: (text) => text,
  code: (text) => text,
  heading: (text) => text,
};

export interface MarkdownStyle {
  /** Write SGR styles (bold, colors). Off for NO_COLOR and output that is not a terminal. */
  color: boolean;
}

/** Whether styles should be written to `stream` (a terminal, and NO_COLOR unset). */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

// C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), and the bidi
// embeddings, overrides and isolates (Trojan Source).
// eslint-disable-next-line no-control-regex -- these characters are exactly what it finds
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text made safe to write to a terminal: each control character becomes a visible stand-in
 * (ESC → ␛, CR → ␍, other C0 controls → their Control Pictures, DEL → ␡, C1 and bidi controls
 * → �), so an escape sequence shows as text ("␛[2J") instead of acting. Tab and newline stay.
 */
export function safeTerminalText(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const code = char.codePointAt(0)!;
    if (code < 0x20) return String.fromCodePoint(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\ufffd';
  });
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([\w+.#-]*)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
const NUMBERED = /^(\s*)(\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const TABLE_ROW = /^\s*\|.*\|?\s*$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

/** Inline markdown (code spans, links, images, bold, italics) on one safe line. */
export function renderInline(text: string, palette: Palette): string {
  // Code spans first: nothing inside them is markdown.
  return text
    .split(/(`[^`]+`)/g)
    .map((part, index) => (index % 2 === 1 ? palette.code(part.slice(1, -1)) : spans(part)))
    .join('');

  function spans(part: string): string {
    return part
      .replace(
        /!\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g,
        (_all, alt: string, url: string) =>
          `${palette.dim(`[image: ${alt || 'no text'}]`)} (${url})`,
      )
      .replace(/\[([^\]]+)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_all, label: string, url: string) =>
        label === url ? url : `${label} (${url})`,
      )
      .replace(/\*\*(?=\S)(.+?)\*\*|__(?=\S)(.+?)__/g, (_all, a?: string, b?: string) =>
        palette.bold(a ?? b ?? ''),
      )
      .replace(
        /(^|[^*\w])\*(?=\S)([^*\n]+?)\*(?![*\w])/g,
        (_all, before: string, inner: string) => `${before}${palette.italic(inner)}`,
      );
  }
}

/** The length a terminal shows for plain text, roughly (one column per code point). */
function columns(text: string): number {
  return [...text].length;
}

function cellsOf(row: string): string[] {
  let inner = row.trim();
  if (inner.startsWith('|')) inner = inner.slice(1);
  if (inner.endsWith('|') && !inner.endsWith('\\|')) inner = inner.slice(0, -1);
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

function renderTable(rows: string[], palette: Palette): string[] {
  const separator = rows.findIndex((row) => TABLE_SEPARATOR.test(row));
  const body = rows.filter((_row, index) => index !== separator);
  const cells = body.map((row) => cellsOf(row).map((cell) => renderInline(cell, PLAIN)));
  const count = Math.max(...cells.map((row) => row.length));
  const widths = Array.from({ length: count }, (_unused, column) =>
    Math.max(...cells.map((row) => columns(row[column] ?? ''))),
  );
  const line = (row: string[], header: boolean) =>
    widths
      .map((width, column) => {
        const cell = row[column] ?? '';
        const padded = cell + ' '.repeat(width - columns(cell));
        return header ? palette.bold(padded) : padded;
      })
      .join(palette.dim(' │ '))
      .trimEnd();
  const out: string[] = [];
  body.forEach((row, index) => {
    const header = separator === 1 && index === 0;
    out.push(`  ${line(cells[index] ?? [], header)}`);
    if (header) {
      out.push(`  ${palette.dim(widths.map((width) => '─'.repeat(width)).join('─┼─'))}`);
    }
  });
  return out;
}

/**
 * Renders markdown line by line as text streams in: `push` any piece of text, `end` when the
 * answer is complete. Each finished line is written once, never rewritten, so the streamed
 * output and the finished answer are the same (nothing garbled when the turn ends).
 */
export class MarkdownStream {
  private pending = '';
  private fence: string | undefined;
  private table: string[] = [];
  private readonly palette: Palette;
  /** Whether anything was written since the last end() (for a caller's spacing). */
  wrote = false;

  constructor(
    private readonly write: (text: string) => void,
    style: MarkdownStyle,
  ) {
    this.palette = style.color ? COLORS : PLAIN;
  }

  push(text: string): void {
    this.pending += text;
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      this.line(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
  }

  /** The answer is complete: writes what is still held (a last line, a table). */
  end(): void {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
    this.flushTable();
    this.fence = undefined;
    this.wrote = false;
  }

  private emit(line: string): void {
    this.wrote = true;
    this.write(`${line}\n`);
  }

  private flushTable(): void {
    if (this.table.length === 0) return;
    const rows = this.table;
    this.table = [];
    // A lone "| … |" line is no table: shown as text.
    if (rows.length === 1) this.emit(renderInline(rows[0]!, this.palette));
    else for (const row of renderTable(rows, this.palette)) this.emit(row);
  }

  private line(raw: string): void {
    const line = safeTerminalText(raw).replace(/\t/g, '    ');
    const { palette } = this;
    if (this.fence !== undefined) {
      const close = FENCE.exec(line);
      if (close && close[1]![0] === this.fence[0] && close[1]!.length >= this.fence.length) {
        this.fence = undefined;
        return;
      }
      this.emit(`  ${palette.code(line)}`);
      return;
    }
    if (TABLE_ROW.test(line) && line.trim().startsWith('|')) {
      this.table.push(line);
      return;
    }
    this.flushTable();
    const fence = FENCE.exec(line);
    if (fence) {
      this.fence = fence[1]!;
      if (fence[2]) this.emit(palette.dim(`  ${fence[2]}`));
      return;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const text = renderInline(heading[2]!, palette);
      this.emit(heading[1]!.length <= 2 ? palette.heading(text) : palette.bold(text));
      return;
    }
    if (RULE.test(line)) {
      this.emit(palette.dim('─'.repeat(40)));
      return;
    }
    const quote = QUOTE.exec(line);
    if (quote) {
      this.emit(`${palette.dim('│')} ${renderInline(quote[1]!, palette)}`);
      return;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      this.emit(`${bullet[1]}• ${renderInline(bullet[2]!, palette)}`);
      return;
    }
    const numbered = NUMBERED.exec(line);
    if (numbered) {
      this.emit(`${numbered[1]}${numbered[2]} ${renderInline(numbered[3]!, palette)}`);
      return;
    }
    this.emit(renderInline(line, palette));
  }
}

/** A whole answer rendered at once (a transcript's). Ends without a trailing newline. */
export function renderMarkdown(text: string, style: MarkdownStyle): string {
  let out = '';
  const stream = new MarkdownStream((piece) => (out += piece), style);
  stream.push(text);
  stream.end();
  return out.replace(/\n$/, '');
}
