// Redacts text that arrives in chunks (a shell's output, a streamed model reply) before any of
// it is shown or logged. Redactor.redact on each chunk alone would let a secret through when a
// chunk boundary falls inside it; this holds back the tail that could still be part of a match
// and emits the rest, so that for any split of a text into chunks the concatenated output is
// exactly redactor.redact(text).
//
// Where the emitted text may end (a "cut"), all of these hold, which makes redacting from the
// cut onwards the same as redacting the whole text:
// - at least HOLD_BACK characters (and the longest registered form) follow it, so every match
//   that starts before it was seen whole — no default rule needs more than that to match;
// - no match crosses it: neither a span to replace nor the whole match of a rule that replaces
//   only a part of it (a header name, a URL's user), which would be scanned again;
// - the character before it is not a token character, so no token, base64 run or word-start
//   check (`(?<![A-Za-z0-9_])`) reaches across it.
// Custom rules anchored with ^ or looking further back than one character are not covered.
import { applySpans, type RedactionSpan, type Redactor } from './redactor.js';

/** Enough for the longest minimum length of a default rule (a private key's BEGIN line, a URL
 * user and password of up to 256 characters each). */
const HOLD_BACK = 1024;
/** Characters of tokens, base64 runs, JWTs and header values: a cut never follows one. */
const TOKEN_CHAR = /[\w~@.+/=-]/;
/** Past this much held text with no safe cut (one huge base64 blob), cut anyway, outside any
 * match: only exactness at that one cut is given up. Text inside one match (a private key block
 * with no END line yet) is still held whole. */
const MAX_HELD = 1024 * 1024;

export class StreamRedactor {
  private held = '';

  constructor(private readonly redactor: Redactor) {}

  /** Adds a chunk; returns the redacted text that is now safe to emit (maybe ''). */
  push(chunk: string): string {
    this.held += chunk;
    const holdBack = Math.max(HOLD_BACK, this.redactor.longestSecretFormLength + 1);
    if (this.held.length <= holdBack) return '';
    const { spans, regions } = this.redactor.scan(this.held);
    const latest = this.held.length - holdBack;
    let cut = findCut(this.held, latest, regions, true);
    if (cut === 0 && this.held.length > MAX_HELD) cut = findCut(this.held, latest, regions, false);
    if (cut === 0) return '';
    const emitted = applySpans(
      this.held.slice(0, cut),
      spans.filter((span: RedactionSpan) => span.end <= cut),
    );
    this.held = this.held.slice(cut);
    return emitted;
  }

  /** Ends the stream; returns the rest, redacted. */
  end(): string {
    const rest = this.redactor.redact(this.held);
    this.held = '';
    return rest;
  }
}

/** The latest position ≤ `latest` that no region strictly contains (and, when `afterToken` is
 * set, that does not follow a token character); 0 when there is none. */
function findCut(
  text: string,
  latest: number,
  regions: [number, number][],
  afterToken: boolean,
): number {
  let cut = latest;
  while (cut > 0) {
    let moved = false;
    for (const [start, end] of regions) {
      if (start < cut && cut < end) {
        cut = start;
        moved = true;
      }
    }
    if (afterToken) {
      while (cut > 0 && TOKEN_CHAR.test(text[cut - 1] as string)) {
        cut--;
        moved = true;
      }
    }
    if (!moved) return cut;
  }
  return 0;
}
