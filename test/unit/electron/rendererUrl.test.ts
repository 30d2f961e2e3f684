// Recognising our own page again: the IPC router and emit() trust nothing else.
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isOwnRendererUrl } from '../../../src-main/electron/rendererUrl.js';

const BUILT = pathToFileURL('/opt/OmniPalm/resources/app.asar/out/renderer/index.html').href;

describe('isOwnRendererUrl', () => {
  it("accepts the built page with the quick prompt's #prompt hash", () => {
    expect(isOwnRendererUrl(BUILT, BUILT)).toBe(true);
    expect(isOwnRendererUrl(BUILT, `${BUILT}#prompt`)).toBe(true);
  });

  it('refuses another file, even next to ours, and a file on another host', () => {
    expect(isOwnRendererUrl(BUILT, new URL('other.html', BUILT).href)).toBe(false);
    expect(isOwnRendererUrl(BUILT, `${pathToFileURL('/tmp/evil/index.html').href}#prompt`)).toBe(
      false,
    );
    expect(isOwnRendererUrl(BUILT, BUILT.replace('file://', 'file://evil.example'))).toBe(false);
  });

  it('for the dev server, accepts its origin with any hash and refuses other origins', () => {
    const dev = 'http://localhost:5173/';
    expect(isOwnRendererUrl(dev, `${dev}#prompt`)).toBe(true);
    expect(isOwnRendererUrl(dev, 'http://localhost:5174/#prompt')).toBe(false);
    expect(isOwnRendererUrl(dev, 'https://evil.example/#prompt')).toBe(false);
  });
});
