// Who an email may go to (integrations.email.allowed_recipients), and preview text that shows
// exactly what will be sent.

/** Whether `address` matches one of `patterns` ("alice@example.com" or "*@example.com"); empty allows anyone. */
export function recipientAllowed(address: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  const lower = address.toLowerCase();
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  return patterns.some((raw) => {
    const pattern = raw.toLowerCase();
    // "*@example.com" is that domain only: "evil-example.com" and "mail.example.com" do not match.
    return pattern.startsWith('*@') ? pattern.slice(2) === domain : pattern === lower;
  });
}

// Control characters and bidirectional overrides could make a preview lie about what is sent
// (terminal escapes in the CLI, "Trojan Source" reordering in the UI), so they are shown escaped.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One preview line with nothing hidden in it. */
export function visible(line: string): string {
  return line.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
