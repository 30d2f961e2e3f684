// @vitest-environment jsdom
// Answers come from a model that may have read an attacker's document: the markdown renders
// lists, tables and code, but nothing in it may fetch, run or navigate by itself.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Markdown, openableUrl } from '../../../src-renderer/components/Markdown';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Markdown', () => {
  it('renders a GFM table and a list', () => {
    const { container } = render(
      <Markdown
        text={'Files:\n\n| name | size |\n| --- | --- |\n| a.log | 3 KB |\n\n- one\n- two'}
      />,
    );
    expect(screen.getByRole('table')).toBeTruthy();
    expect(screen.getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual([
      'name',
      'size',
    ]);
    expect(screen.getByRole('cell', { name: 'a.log' })).toBeTruthy();
    expect(container.querySelectorAll('li')).toHaveLength(2);
  });

  it('a fenced code block has a Copy button that copies its text', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    render(<Markdown text={'```bash\nrm -rf ~/Downloads/old\n```'} />);
    expect(screen.getByText('rm -rf ~/Downloads/old').closest('pre')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy code' })));
    expect(writeText).toHaveBeenCalledWith('rm -rf ~/Downloads/old\n');
    expect(screen.getByRole('button', { name: 'Copy code' }).textContent).toBe('Copied');
  });

  it('a refused clipboard fails silently', async () => {
    vi.stubGlobal('navigator', {
      ...navigator,
      clipboard: { writeText: vi.fn(async () => Promise.reject(new Error('denied'))) },
    });
    render(<Markdown text={'```\nx\n```'} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy code' })));
    expect(screen.getByRole('button', { name: 'Copy code' }).textContent).toBe('Copy');
  });

  it('shows raw HTML as text, never as elements', () => {
    const { container } = render(
      <Markdown
        text={
          'Hello <b>bold</b> <img src="http://evil.test/x.png"> <script>alert(1)</script>\n\n<iframe src="http://evil.test"></iframe>'
        }
      />,
    );
    for (const tag of ['b', 'img', 'script', 'iframe']) {
      expect(container.querySelector(tag)).toBeNull();
    }
    expect(container.textContent).toContain('<b>bold</b>');
    expect(container.textContent).toContain('<iframe src="http://evil.test"></iframe>');
  });

  it('an image is never an <img>: its alt text and address are shown instead', () => {
    const { container } = render(
      <Markdown text={'See ![chart](http://127.0.0.1:9/leak.png?d=secret)'} />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('[image: chart] http://127.0.0.1:9/leak.png?d=secret');
  });

  it('http, https and mailto links open in a new browsing context without opener or referrer', () => {
    render(
      <Markdown
        text={
          '[docs](https://example.com/a) [plain](http://example.com/) [mail](mailto:a@example.com)'
        }
      />,
    );
    for (const name of ['docs', 'plain', 'mail']) {
      const link = screen.getByRole('link', { name });
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    }
    expect(screen.getByRole('link', { name: 'docs' }).getAttribute('href')).toBe(
      'https://example.com/a',
    );
  });

  it('javascript:, file: and relative links are text, not links', () => {
    const { container } = render(
      <Markdown
        text={
          '[run](javascript:alert(1)) [local](file:///etc/passwd) [here](./x) <javascript:alert(2)>'
        }
      />,
    );
    expect(container.querySelector('a')).toBeNull();
    expect(screen.queryAllByRole('link')).toHaveLength(0);
    expect(container.textContent).toContain('run');
    expect(container.textContent).toContain('local');
  });
});

describe('openableUrl', () => {
  it('accepts http, https and mailto only', () => {
    expect(openableUrl('https://example.com')).toBe('https://example.com/');
    expect(openableUrl('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(openableUrl('JavaScript:alert(1)')).toBeNull();
    expect(openableUrl('data:text/html,x')).toBeNull();
    expect(openableUrl('/relative')).toBeNull();
    expect(openableUrl(undefined)).toBeNull();
  });
});
