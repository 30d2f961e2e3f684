// ui.quick_prompt_session: the tray's quick prompt starts a new session unless the user chose
// 'last', and the prompt window's address says which.
import { describe, expect, it } from 'vitest';
import { quickPromptSessionId, quickPromptUrl } from '../../../src-main/electron/quickPrompt.js';

const NEWEST = '0123456789abcdef0123456789abcdef';
const OLDER = 'fedcba9876543210fedcba9876543210';

describe('quickPromptSessionId', () => {
  it("'new' (the default) never continues a session", () => {
    expect(quickPromptSessionId('new', [{ id: NEWEST }, { id: OLDER }])).toBeNull();
  });

  it("'last' continues the most recently active session", () => {
    expect(quickPromptSessionId('last', [{ id: NEWEST }, { id: OLDER }])).toBe(NEWEST);
  });

  it("'last' with no session yet starts one", () => {
    expect(quickPromptSessionId('last', [])).toBeNull();
  });
});

describe('quickPromptUrl', () => {
  it('is #prompt for a new session and #prompt?session=<id> to continue one', () => {
    expect(quickPromptUrl('file:///app/out/renderer/index.html', null)).toBe(
      'file:///app/out/renderer/index.html#prompt',
    );
    expect(quickPromptUrl('http://localhost:5173/', NEWEST)).toBe(
      `http://localhost:5173/#prompt?session=${NEWEST}`,
    );
  });

  it('replaces a fragment the renderer address already has', () => {
    expect(quickPromptUrl('http://localhost:5173/#timeline', null)).toBe(
      'http://localhost:5173/#prompt',
    );
  });
});
