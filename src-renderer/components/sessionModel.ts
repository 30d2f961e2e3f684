// Plain helpers of the sessions sidebar and transcript: times, costs and names as shown.

/** "just now", "5 min ago", "3 h ago", "yesterday", else the date. */
export function relativeTime(epochMilliseconds: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - epochMilliseconds) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return new Date(epochMilliseconds).toLocaleDateString();
}

/** "$0.0123": four decimals, as the task outcome shows a cost. */
export function formatCost(costUsd: number): string {
  return `$${costUsd.toFixed(4)}`;
}

/** "1.2 s", "340 ms", "2 min 5 s". */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  const seconds = Math.round(milliseconds / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** 14:03:07 in the user's time zone. */
export function clockTime(epochMilliseconds: number): string {
  return new Date(epochMilliseconds).toLocaleTimeString([], { hour12: false });
}

/**
 * The short name of where untrusted content came from: "fs.read /home/u/inbox.txt" →
 * "inbox.txt", "http.get https://example.com/news/" → "example.com" (the site is what a user
 * knows a page by).
 */
export function shortSourceName(source: string): string {
  const target = source.includes(' ') ? source.slice(source.indexOf(' ') + 1).trim() : source;
  if (/^https?:\/\//i.test(target)) {
    try {
      return new URL(target).hostname;
    } catch {
      // Not a URL after all: fall through to the last path segment.
    }
  }
  const parts = target.replace(/[/\\]+$/, '').split(/[/\\]/);
  return parts.at(-1) || target || source;
}

/** "read untrusted content: inbox.txt, page" with each name once. */
export function untrustedBadgeText(sources: readonly string[]): string {
  const names = [...new Set(sources.map(shortSourceName))];
  const shown = names.slice(0, 3).join(', ');
  const more = names.length > 3 ? ` and ${names.length - 3} more` : '';
  return `read untrusted content: ${shown}${more}`;
}

/** Where the window keeps the open session's id (the id only: turns are read from main). */
export const OPEN_SESSION_STORAGE_KEY = 'omnipalm.openSession';
