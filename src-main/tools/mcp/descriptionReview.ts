// A tool description as the user reviews it. The model reads every byte of a description; the
// user reads what a screen renders. "Tool poisoning" lives in the gap: instructions in
// invisible characters, in Unicode tag characters (an invisible copy of ASCII), behind bidi
// controls that reorder what is shown, in HTML comments a markdown view hides, or in plain
// text addressed to the model rather than the user. reviewText makes the hidden parts visible
// in place (⟦…⟧) and names each kind in `flags`, so an approval is of what the model will read.

export interface ReviewedText {
  /** The description with every hidden part shown as ⟦…⟧. */
  text: string;
  /** One line per kind of hidden or model-addressed content found; empty when none. */
  flags: string[];
}

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** Characters that render as nothing: zero-width spaces/joiners, word joiner, BOM, … */
function isInvisible(codePoint: number): boolean {
  return (
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0x2060 && codePoint <= 0x2064) ||
    codePoint === 0xfeff ||
    codePoint === 0x00ad || // soft hyphen
    codePoint === 0x180e || // Mongolian vowel separator
    // Variation selectors supplement: invisible, and used to smuggle bytes after a character.
    (codePoint >= 0xe0100 && codePoint <= 0xe01ef)
  );
}

/** Bidi embedding, override and isolate controls: they reorder what is displayed. */
function isBidiControl(codePoint: number): boolean {
  return (
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069) ||
    codePoint === 0x061c // Arabic letter mark
  );
}

/** C0 and C1 controls, DEL; tab and newline are ordinary text. CR can overwrite a line. */
function isControl(codePoint: number): boolean {
  if (codePoint === 0x09 || codePoint === 0x0a) return false;
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f);
}

const isTag = (codePoint: number) => codePoint >= 0xe0000 && codePoint <= 0xe007f;

/**
 * Text addressed to the model instead of the user. A small list on purpose: each pattern is a
 * phrasing seen in published tool-poisoning examples, and a flag asks the user to read the
 * description, it does not refuse the tool. Matched on the text with hidden characters removed
 * and tag characters decoded, so "ig\u200Bnore" or a tag-encoded sentence still match.
 */
export const MODEL_ADDRESSED_PATTERNS: readonly { pattern: RegExp; flag: string }[] = [
  {
    pattern:
      /\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|other)\s+(instructions|prompts?|messages|rules|directions)/i,
    flag: 'tells the model to ignore its instructions',
  },
  {
    pattern:
      /\b(do\s+not|don't|never)\s+(tell|inform|mention|reveal|show|notify|alert)\b[^.\n]{0,60}\b(user|human)s?\b/i,
    flag: 'tells the model to keep something from the user',
  },
  {
    pattern: /<\s*\/?\s*(important|system|instructions?|secret|hidden)\s*>/i,
    flag: 'contains an <IMPORTANT>-style tag addressed to the model',
  },
  {
    pattern: /\bsystem\s+(prompt|message|instructions?)\b/i,
    flag: 'mentions the system prompt',
  },
  {
    pattern: /\b(before|prior\s+to|after)\s+(using|calling|running|invoking)\s+(this|the|any)\b/i,
    flag: 'tells the model what to do around using a tool',
  },
  {
    pattern:
      /(~\/|\$HOME\/|\/home\/[^/\s]+\/)?\.(ssh|aws|gnupg|kube|docker|netrc)\b|\bid_(rsa|ed25519|ecdsa)\b|\.env\b|mcp\.json\b|\bprivate\s+key\b|\bcredentials?\s+file/i,
    flag: 'mentions credential files or keys',
  },
];

/** Decodes a run of tag characters: U+E0020–U+E007E mirror ASCII; others are shown as code points. */
function decodeTags(codePoints: readonly number[]): string {
  return codePoints
    .map((codePoint) => {
      const ascii = codePoint - 0xe0000;
      return ascii >= 0x20 && ascii <= 0x7e ? String.fromCharCode(ascii) : `<${hex(codePoint)}>`;
    })
    .join('');
}

export function reviewText(description: string): ReviewedText {
  const flags = new Set<string>();
  let shown = '';
  // The description as the model would understand it: hidden characters dropped, tags decoded.
  let plain = '';
  const codePoints = Array.from(description, (character) => character.codePointAt(0)!);
  const hiddenKinds = {
    invisible: new Set<string>(),
    bidi: new Set<string>(),
    control: new Set<string>(),
  };

  for (let index = 0; index < codePoints.length; index += 1) {
    const codePoint = codePoints[index]!;
    if (isTag(codePoint)) {
      const run: number[] = [];
      while (index < codePoints.length && isTag(codePoints[index]!)) {
        run.push(codePoints[index]!);
        index += 1;
      }
      index -= 1;
      const decoded = decodeTags(run);
      shown += `⟦tag: ${decoded}⟧`;
      plain += decoded;
      flags.add(`hidden text in Unicode tag characters: ${JSON.stringify(decoded)}`);
      continue;
    }
    const kind = isInvisible(codePoint)
      ? 'invisible'
      : isBidiControl(codePoint)
        ? 'bidi'
        : isControl(codePoint)
          ? 'control'
          : undefined;
    if (kind) {
      shown += `⟦${hex(codePoint)}⟧`;
      hiddenKinds[kind].add(hex(codePoint));
      continue;
    }
    const character = String.fromCodePoint(codePoint);
    shown += character;
    plain += character;
  }

  const list = (codes: Set<string>) => [...codes].join(', ');
  if (hiddenKinds.invisible.size > 0) {
    flags.add(`invisible characters: ${list(hiddenKinds.invisible)}`);
  }
  if (hiddenKinds.bidi.size > 0) {
    flags.add(`bidirectional controls that reorder the text: ${list(hiddenKinds.bidi)}`);
  }
  if (hiddenKinds.control.size > 0) {
    flags.add(`control characters: ${list(hiddenKinds.control)}`);
  }

  // HTML comments vanish in a rendered (markdown) view but reach the model: show them framed.
  let commentFound = false;
  shown = shown.replace(/<!--([\s\S]*?)(?:-->|$)/g, (_match, body: string) => {
    commentFound = true;
    return `⟦comment: ${body.trim()}⟧`;
  });
  if (commentFound) flags.add('HTML comment (hidden when rendered)');

  for (const { pattern, flag } of MODEL_ADDRESSED_PATTERNS) {
    if (pattern.test(plain)) flags.add(`addressed to the model: ${flag}`);
  }
  return { text: shown, flags: [...flags] };
}
