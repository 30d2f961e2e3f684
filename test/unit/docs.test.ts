// The docs a newcomer reads: README.md (the front door) and docs/*.md (the reference). A link
// that leads nowhere is a dead end for exactly the reader who needs it, so every relative link
// and #anchor must resolve, and links may not wander off to hosts the docs did not use before.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCS = path.join(ROOT, 'docs');

// Hosts the docs link to today (the package page of the shell sandbox, the local server's API
// reference, the example Jira site in the generated config reference). A new host is a choice
// to make on purpose, here.
const ALLOWED_HOSTS = new Set(['www.npmjs.com', '127.0.0.1:7780', 'example.atlassian.net']);

const PAGES = [
  'README.md',
  ...fs
    .readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The text GitHub renders as prose: fenced blocks, HTML comments and code spans removed. */
function prose(markdown: string): string {
  return markdown
    .replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/`[^`\n]*`/g, '');
}

/** Heading anchors as GitHub makes them (github-slugger): duplicates get -1, -2, … */
function anchorsOf(markdown: string): Set<string> {
  const withoutFences = markdown.replace(
    /^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm,
    '',
  );
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = match[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[`*]/g, '')
      .replace(/<[^>]+>/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Every link target in a page: inline links and images, reference definitions, autolinks, bare URLs. */
function linksOf(markdown: string): string[] {
  const text = prose(markdown);
  const targets: string[] = [];
  for (const match of text.matchAll(
    /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
  ))
    targets.push(match[1]!);
  for (const match of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm))
    targets.push(match[1]!);
  // Bare URLs outside the links above: GitHub turns them into links too.
  const withoutLinks = text.replace(/\]\([^)]*\)/g, ']');
  for (const match of withoutLinks.matchAll(/\bhttps?:\/\/[^\s)<>\]|"'`]+/g))
    targets.push(match[0].replace(/[.,;:]+$/, ''));
  return targets;
}

function problemsOf(page: string): string[] {
  const file = path.join(ROOT, page);
  const problems: string[] = [];
  for (const target of linksOf(fs.readFileSync(file, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      const url = URL.canParse(target) ? new URL(target) : undefined;
      if (!url || !/^https?:$/.test(url.protocol) || !ALLOWED_HOSTS.has(url.host))
        problems.push(
          `${page}: ${target} links to a host the docs do not use (${[...ALLOWED_HOSTS].join(', ')})`,
        );
      continue;
    }
    const [pathPart = '', anchor] = target.split('#', 2);
    const resolved = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURI(pathPart));
    if (path.relative(ROOT, resolved).startsWith('..')) {
      problems.push(`${page}: ${target} points outside the repository`);
      continue;
    }
    if (!fs.existsSync(resolved)) {
      problems.push(`${page}: ${target} — no such file ${path.relative(ROOT, resolved)}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md') || !anchorsOf(fs.readFileSync(resolved, 'utf8')).has(anchor))
      problems.push(
        `${page}: ${target} — no heading #${anchor} in ${path.relative(ROOT, resolved)}`,
      );
  }
  return problems;
}

describe('docs', () => {
  it('makes anchors and finds links the way GitHub does', () => {
    expect([...anchorsOf('# The `omnipalm` command\n## Two commands\n## Two commands\n')]).toEqual([
      'the-omnipalm-command',
      'two-commands',
      'two-commands-1',
    ]);
    expect([
      ...anchorsOf('## Headless mode and the REST API\n```\n# not a heading\n```\n'),
    ]).toEqual(['headless-mode-and-the-rest-api']);
    expect(
      linksOf(
        'See [The `omnipalm` command](cli.md#x), ![shot](images/a.png), `[no](code.md)`,\n' +
          '```\n[no](fenced.md) https://fenced.example\n```\nand https://bare.example/page.\n' +
          '1. step\n\n   ```bash\n   [no](indented.md)\n   ```\n',
      ),
    ).toEqual(['cli.md#x', 'images/a.png', 'https://bare.example/page']);
  });

  it.each(PAGES)('%s: every link resolves to a file and heading, no new hosts', (page) => {
    expect(problemsOf(page)).toEqual([]);
  });

  it('README links every page in docs/ (the reference is reachable from the front door)', () => {
    const linked = new Set(
      linksOf(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map(
        (target) => target.split('#')[0],
      ),
    );
    const unlinked = PAGES.filter((page) => page.startsWith('docs/') && !linked.has(page));
    expect(unlinked).toEqual([]);
  });

  it("keeps the README's two commands true to package.json and CI", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('```bash\nnpm install && npm start\n```');
    expect(readme).toContain('```bash\nnpm test\n```');
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.start).toBeDefined();
    expect(scripts.test).toBeDefined();
    expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });

  it('keeps the images small (under 200 KB each)', () => {
    const images = path.join(DOCS, 'images');
    for (const name of fs.readdirSync(images))
      expect(fs.statSync(path.join(images, name)).size, name).toBeLessThan(200 * 1024);
  });
});
