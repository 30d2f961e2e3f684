// Where the tray's quick prompt goes (ui.quick_prompt_session): a new session by default, so a
// quick question never inherits a conversation's context or its untrusted-content state; or,
// with 'last', the most recent session goes on. Plain functions, tested in Node.

export type QuickPromptSessionSetting = 'new' | 'last';

/** The session the quick prompt continues, or null to start a new one. */
export function quickPromptSessionId(
  setting: QuickPromptSessionSetting,
  /** session.recent's answer, most recently active first. */
  recent: readonly { readonly id: string }[],
): string | null {
  if (setting !== 'last') return null;
  return recent[0]?.id ?? null;
}

/** The renderer's quick prompt view: '#prompt', or '#prompt?session=<id>' to continue one. */
export function quickPromptUrl(rendererUrl: string, sessionId: string | null): string {
  const base = rendererUrl.split('#')[0] ?? rendererUrl;
  if (sessionId === null) return `${base}#prompt`;
  return `${base}#prompt?${new URLSearchParams({ session: sessionId }).toString()}`;
}
