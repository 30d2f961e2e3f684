// Everything OmniPalm writes to the audit log and the timeline, every error message, and
// everything later sent to the model passes through Redactor first. It stops API keys and
// passwords from leaking into files a user may share, into screenshots of the timeline, and
// into a model context that a prompt injection could ask to repeat.
//
// Formats come from these sources, cited rule by rule below:
// - gitleaks rules (ids in backticks), github.com/gitleaks/gitleaks cmd/generate/config/rules/
//   *.go, compiled into config/gitleaks.toml;
// - GitHub token formats: github.blog/changelog/2021-03-31-authentication-token-format-updates-
//   are-generally-available and github.blog/changelog/2026-05-15-github-app-installation-tokens-
//   per-request-override-header (quoted in github/gh-aw#35016);
// - Yelp/detect-secrets detect_secrets/plugins/slack.py (webhook URL shape);
// - RFC 3986 §3.2.1 (URL userinfo), RFC 6750 §2.1 (Bearer token characters).
//
// Two kinds of detection, both run on the original text and merged:
// - registered secrets: the exact values the app holds (keychain, environment), found also
//   JSON-escaped, URL-encoded and base64-encoded (standard and url-safe, at any of the three
//   byte alignments inside a longer base64 run, which is then redacted whole), longest first;
// - pattern rules for well-known credential formats, combined into one regex per flag set
//   (one pass for the default rules: 0.2–0.4 µs for a clean 150-character line).
// Where matches overlap, the union is redacted, so no fragment of either survives.
//
// Limits, on purpose: a secret split across two redact() calls (a private key logged line by
// line) is not recognised — redact whole entries, or stream through StreamRedactor. Unknown
// formats are only caught when registered. Binary data (Buffers, typed arrays) is not
// inspected. Hex-encoded registered secrets are not looked for.

/**
 * A pattern for one credential format. If the pattern has capture groups, only the text of the
 * first group is replaced and the rest of the match (a header name, a URL's user and host) is
 * kept; otherwise the whole match is replaced.
 */
export interface RedactionRule {
  name: string;
  pattern: RegExp /* global */;
}

const MIN_SECRET_LENGTH = 8;
const NAME_SHAPE = /^[A-Za-z0-9_.:@/-]{1,100}$/;
const REDACTED_SHAPE = /^\[REDACTED:[^\]]+\]$/;

/** Not preceded by a letter, digit or `_` — except one that ends a JSON escape such as `\n`. */
const WORD_START = String.raw`(?<!(?<!\\)[A-Za-z0-9_])`;
/** Between a label and its value: `key: v`, `key=v`, `"key": "v"`, `\"key\": \"v\"`. */
const LABEL_SEPARATOR = String.raw`(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\?["'])?`;
/** Characters of a token in a header value (RFC 6750 b64token, plus `@`). */
const TOKEN_CHAR = String.raw`[\w~@.+/=-]`;

/** `auth` → `[Aa][Uu][Tt][Hh]`: case-insensitive without the `i` flag, so every default rule
 * shares one flag set and one combined regex. */
function anyCase(word: string): string {
  return word.replace(/[A-Za-z]/g, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
}

function rule(name: string, source: string): RedactionRule {
  return { name, pattern: new RegExp(source, 'g') };
}

const PRIVATE_KEY_LABEL = '[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----';

export const REDACTION_RULES: readonly RedactionRule[] = Object.freeze([
  // gitleaks `private-key`. Multi-line; a block cut off before its END line is redacted up to
  // the next `"` or the end of the text, so a JSON log line keeps its closing quote.
  rule(
    'private-key',
    `-----BEGIN${PRIVATE_KEY_LABEL}[^"]*?(?:-----END${PRIVATE_KEY_LABEL}|(?="|$))`,
  ),
  // gitleaks `anthropic-api-key`, `anthropic-admin-api-key` (sk-ant-api03- / sk-ant-admin01-
  // + 93 + AA) and `anthropic-oauth-token` (sk-ant-oat01-, ort01-). A shorter tail is still
  // redacted: the prefix is unambiguous and a truncated key is still a key.
  rule('anthropic-api-key', `${WORD_START}sk-ant-(?:api|admin|oat|ort)\\d{2}-[A-Za-z0-9_-]{32,}`),
  // gitleaks `openai-api-key`: sk-proj-/sk-svcacct-/sk-admin- (58–74 + T3BlbkFJ + 58–74) and
  // legacy sk- + 20 + T3BlbkFJ + 20. We do not require the T3BlbkFJ marker, so other
  // OpenAI-style `sk-` keys (32+ letters and digits, no hyphen) are redacted too.
  rule(
    'openai-api-key',
    `${WORD_START}sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{32,})`,
  ),
  // gitleaks `slack-webhook-url`; detect-secrets SlackDetector: /services/T…/B…/<24 chars>.
  rule(
    'slack-webhook-url',
    String.raw`(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{40,}`,
  ),
  // gitleaks `slack-bot-token`, `slack-user-token`, `slack-legacy-*`, `slack-app-token`:
  // xox[abeoprs]- and xapp- followed by a digit (which keeps `xoxo-hugs` out).
  rule('slack-token', `${WORD_START}(?:xox[abeoprs]|xapp)-\\d[A-Za-z0-9-]{8,}`),
  // gitleaks `github-pat`, `github-oauth`, `github-app-token`, `github-refresh-token`
  // (gh[pousr]_ + 36) and `github-fine-grained-pat` (github_pat_ + 82). GitHub changelog
  // 2021-03-31: tokens may grow to 255 characters; 2026-05-15: stateless ghs_ installation
  // tokens are longer and contain `.`, `_` and `-` (JWT-shaped).
  rule(
    'github-token',
    `${WORD_START}(?:gh[pousr]_[A-Za-z0-9_-]{36,}(?:\\.[A-Za-z0-9_-]+)*|github_pat_[A-Za-z0-9_]{40,})`,
  ),
  // gitleaks `aws-access-token`: AKIA (long-term) / ASIA (STS) + 16 upper-case letters/digits.
  rule('aws-access-key-id', `${WORD_START}(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9_])`),
  // gitleaks `aws-secret-access-key` (40 of [A-Za-z0-9/+=]), only when labelled — 40 base64
  // characters alone are too common. Labels: aws_secret_access_key, SecretAccessKey, ….
  rule(
    'aws-secret-access-key',
    `${anyCase('secret')}[-_]?${anyCase('access')}[-_]?${anyCase('key')}${LABEL_SEPARATOR}` +
      '([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])',
  ),
  // gitleaks `atlassian-api-token`: ATATT3 + 186 of [A-Za-z0-9_\-=].
  rule('atlassian-api-token', `${WORD_START}ATATT3[A-Za-z0-9_=-]{100,}`),
  // gitleaks `gcp-api-key`: AIza + 35 of [\w-].
  rule('google-api-key', `${WORD_START}AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])`),
  // gitleaks `stripe-access-token`: (sk|rk)_(test|live|prod)_ + 10–99 letters/digits.
  rule('stripe-secret-key', `${WORD_START}[rs]k_(?:live|test|prod)_[A-Za-z0-9]{10,}`),
  // gitleaks `curl-auth-header`. Keeps the header name and scheme, redacts the credential.
  // Each scheme checks its value with a lookahead so prose ("Authorization: required",
  // "Bearer <token>", "Bearer $TOKEN") is left alone: Basic needs well-formed base64, Bearer
  // and token need 8+ characters with a digit or symbol (or 20+ letters), no scheme needs
  // 16+ characters with a digit.
  rule(
    'authorization-header',
    `${WORD_START}${anyCase('authorization')}${LABEL_SEPARATOR}(?:` +
      `${anyCase('basic')}[ \\t]+(?=(?:[A-Za-z0-9+/]{4}){2,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?!${TOKEN_CHAR}))` +
      `|(?:${anyCase('bearer')}|${anyCase('token')}|${anyCase('api-token')})[ \\t]+` +
      `(?=${TOKEN_CHAR}{8})(?=${TOKEN_CHAR}*[\\d_~+/=]|[A-Za-z]{20})` +
      `|(?=${TOKEN_CHAR}{16})(?=${TOKEN_CHAR}*\\d))(${TOKEN_CHAR}+)`,
  ),
  // gitleaks `curl-auth-header` (X-Api-Key / Api-Key / X-Auth-Token forms), also as query or
  // config keys (api_key=…, "apiKey": "…"). The value needs 8+ characters with a digit.
  rule(
    'api-key-header',
    `(?:${anyCase('api')}[-_]?${anyCase('key')}|${anyCase('auth')}[-_]${anyCase('token')})` +
      `${LABEL_SEPARATOR}(?=${TOKEN_CHAR}{8})(?=${TOKEN_CHAR}*\\d)(${TOKEN_CHAR}+)`,
  ),
  // RFC 3986 §3.2.1 userinfo: scheme://user:<password>@host. Anchored on "://" (cheap); keeps the
  // user and host. Characters a URL may not hold unencoded end the match: `"` and `\` so a JSON
  // line is never cut across fields, `[ ]` so an already redacted URL stays as it is, `< > { }`
  // so placeholders (<password>, ${PASSWORD}) are left alone.
  rule('url-password', String.raw`://[^\s/?#@:"\\[\]<>{}]{0,256}:([^\s/?#@"\\[\]<>{}]{1,256})@`),
  // gitleaks `jwt`: base64url header and payload both starting {" (eyJ), then the signature.
  rule('jwt', `${WORD_START}eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*`),
]);

interface CompiledRule {
  name: string;
  /** Index of the group wrapping this rule in the combined regex. */
  group: number;
  /** Whether the rule has its own groups, the first of which is what gets replaced. */
  hasSecretGroup: boolean;
}

interface RuleSet {
  regex: RegExp;
  rules: CompiledRule[];
}

export interface RedactionSpan {
  start: number;
  end: number;
  name: string;
  /** Breaks a tie between spans of equal length: a registered secret (2) names a value best,
   * then a rule that matched the whole token (1), then a label rule such as api-key-header (0). */
  priority: number;
}

function checkName(kind: string, name: string): void {
  if (typeof name !== 'string' || !NAME_SHAPE.test(name)) {
    throw new Error(
      `${kind}: name ${JSON.stringify(name)} must be 1–100 letters, digits or _ . : @ / -, ` +
        'because it is written into the log as [REDACTED:<name>].',
    );
  }
}

function countGroups(source: string, flags: string): number {
  // An alternative that matches the empty string makes exec report every group of `source`.
  return (new RegExp(`(?:${source})|`, flags).exec('') as RegExpExecArray).length - 1;
}

function compileRuleSet(rules: readonly RedactionRule[], flags: string): RuleSet {
  const [only] = rules;
  if (rules.length === 1 && only !== undefined) {
    // Alone, a rule keeps its own group numbers (its backreferences stay right).
    const hasSecretGroup = countGroups(only.pattern.source, flags) > 0;
    return {
      regex: new RegExp(only.pattern.source, `${flags}dg`),
      rules: [{ name: only.name, group: 0, hasSecretGroup }],
    };
  }
  const compiled: CompiledRule[] = [];
  const sources: string[] = [];
  let group = 1;
  for (const { name, pattern } of rules) {
    const inner = countGroups(pattern.source, flags);
    compiled.push({ name, group, hasSecretGroup: inner > 0 });
    sources.push(`(${pattern.source})`);
    group += 1 + inner;
  }
  return { regex: new RegExp(sources.join('|'), `${flags}dg`), rules: compiled };
}

/** Groups rules by flags into as few regexes as possible. A rule with a numbered
 * backreference (which would point elsewhere once combined) gets a regex of its own. */
function compileRules(rules: readonly RedactionRule[]): RuleSet[] {
  const byFlags = new Map<string, RedactionRule[]>();
  const alone: RedactionRule[] = [];
  for (const candidate of rules) {
    checkName('Redactor rule', candidate.name);
    if (!(candidate.pattern instanceof RegExp)) {
      throw new Error(`Redactor rule ${candidate.name}: pattern must be a RegExp.`);
    }
    if (/\\[1-9]/.test(candidate.pattern.source)) {
      alone.push(candidate);
      continue;
    }
    const flags = [...candidate.pattern.flags.replace(/[dgy]/g, '')].sort().join('');
    byFlags.set(flags, [...(byFlags.get(flags) ?? []), candidate]);
  }
  const sets: RuleSet[] = [];
  for (const [flags, group] of byFlags) {
    try {
      sets.push(compileRuleSet(group, flags));
    } catch {
      // Duplicate named groups across rules cannot share one regex: one pass per rule.
      for (const single of group) sets.push(compileRuleSet([single], flags));
    }
  }
  for (const single of alone) {
    sets.push(compileRuleSet([single], single.pattern.flags.replace(/[dgy]/g, '')));
  }
  return sets;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** What `redact` acts on in one text, for callers that redact a text in parts
 * (StreamRedactor): `spans` are replaced; `regions` (the spans, plus the whole match of each
 * rule that replaces only a part of it) must never be cut in two. */
export interface RedactionScan {
  spans: RedactionSpan[];
  regions: [number, number][];
}

interface SecretForm {
  name: string;
  /** For a base64 form: the characters of the base64 run it sits in, redacted whole. */
  base64Run?: RegExp;
}

const STANDARD_BASE64_CHAR = /[A-Za-z0-9+/]/;
const URL_SAFE_BASE64_CHAR = /[A-Za-z0-9_-]/;
const ANY_BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/**
 * The parts of a value's base64 encoding that do not depend on the bytes around it. Inside a
 * longer encoded blob (a Basic auth header, a JSON body in base64, a data: URL) the value may
 * start at byte offset 0, 1 or 2 of a 3-byte group; for each, the characters made only of the
 * value's own bits are the same wherever it sits. Finding that middle part finds the value.
 */
function base64Middles(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const middles = new Set<string>();
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    // Character i holds bits 6i..6i+5 of the padded bytes; keep those within the value.
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    middles.add(padded.toString('base64').slice(first, end));
    middles.add(padded.toString('base64url').slice(first, end));
  }
  return [...middles];
}

function base64RunChars(middle: string): RegExp {
  if (/[+/]/.test(middle)) return STANDARD_BASE64_CHAR;
  if (/[_-]/.test(middle)) return URL_SAFE_BASE64_CHAR;
  return ANY_BASE64_CHAR;
}

/** Widens [start, end) to the whole base64 run around it, padding included — but not over the
 * letter of a JSON escape such as `\n` or `\u00e9` just before it, so JSON stays valid. */
function enclosingBase64Run(text: string, start: number, end: number, chars: RegExp) {
  let runStart = start;
  while (runStart > 0 && chars.test(text[runStart - 1] as string)) runStart--;
  let backslashes = 0;
  while (text[runStart - 1 - backslashes] === '\\') backslashes++;
  if (backslashes % 2 === 1)
    runStart = Math.min(start, runStart + (text[runStart] === 'u' ? 5 : 1));
  let runEnd = end;
  while (runEnd < text.length && chars.test(text[runEnd] as string)) runEnd++;
  while (text[runEnd] === '=') runEnd++;
  return { start: runStart, end: runEnd };
}

/** The forms in which a secret's value shows up in logs: as is, JSON-escaped (once, twice,
 * ASCII-only), percent-encoded (upper- and lower-case hex) and form-encoded. */
function secretForms(value: string): string[] {
  const forms = new Set<string>();
  for (const exact of value.trim().length >= MIN_SECRET_LENGTH ? [value, value.trim()] : [value]) {
    const json = JSON.stringify(exact).slice(1, -1);
    const uri = encodeURIComponent(exact);
    forms.add(exact);
    forms.add(json);
    forms.add(JSON.stringify(json).slice(1, -1));
    forms.add(
      json.replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
    );
    forms.add(uri);
    forms.add(uri.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
    forms.add(new URLSearchParams({ v: exact }).toString().slice(2));
  }
  return [...forms];
}

/** Sorts and merges overlapping spans; a merged span is named after its longest part, a
 * tie going to the higher priority. Returns the text with each span replaced. */
export function applySpans(text: string, spans: RedactionSpan[]): string {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let output = '';
  let cursor = 0;
  let index = 0;
  while (index < spans.length) {
    const first = spans[index] as RedactionSpan;
    let end = first.end;
    let best = first;
    for (index++; index < spans.length && (spans[index] as RedactionSpan).start < end; index++) {
      const next = spans[index] as RedactionSpan;
      end = Math.max(end, next.end);
      const length = next.end - next.start;
      const bestLength = best.end - best.start;
      if (length > bestLength || (length === bestLength && next.priority > best.priority)) {
        best = next;
      }
    }
    output += `${text.slice(cursor, first.start)}[REDACTED:${best.name}]`;
    cursor = end;
  }
  return output + text.slice(cursor);
}

const SENSITIVE_KEY_SUFFIXES: readonly (readonly [string, string])[] = [
  ['authorization', 'authorization-header'],
  ['apikey', 'api-key-header'],
  ...['password', 'passwd', 'passphrase', 'secret', 'secretkey', 'token', 'privatekey']
    .concat(['secretaccesskey', 'credential', 'credentials', 'cookie'])
    .map((suffix) => [suffix, 'sensitive-field'] as const),
];

/** For a key like `Authorization`, `x-api-key` or `db_password`: the name its string value is
 * redacted under, whatever the value looks like. */
function sensitiveKeyName(key: string): string | undefined {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SENSITIVE_KEY_SUFFIXES.find(([suffix]) => normalized.endsWith(suffix))?.[1];
}

export class Redactor {
  private readonly ruleSets: RuleSet[];
  private readonly secrets = new Map<string, string>();
  private secretByForm = new Map<string, SecretForm>();
  private longestForm = 0;
  private secretRegex: RegExp | undefined;

  constructor(options: { rules?: readonly RedactionRule[] } = {}) {
    this.ruleSets = compileRules(options.rules ?? REDACTION_RULES);
  }

  /** Register the exact value of a secret the app holds (from the keychain/env); values shorter
   * than 8 characters are refused with an Error (too likely to hit ordinary text). Registering
   * a name again replaces its value. */
  registerSecret(name: string, value: string): void {
    checkName('Redactor.registerSecret', name);
    if (typeof value !== 'string') {
      throw new Error(`Redactor.registerSecret(${name}): the value must be a string.`);
    }
    if (value.length < MIN_SECRET_LENGTH) {
      // Never echo the value: this message may itself end up in a log.
      throw new Error(
        `Redactor.registerSecret(${name}): the value is ${value.length} characters long; values ` +
          `shorter than ${MIN_SECRET_LENGTH} are refused because they would match ordinary text. ` +
          'Check that the right secret was read (an empty or truncated keychain entry?).',
      );
    }
    this.secrets.set(name, value);
    this.rebuildSecrets();
  }

  unregisterSecret(name: string): void {
    if (this.secrets.delete(name)) this.rebuildSecrets();
  }

  /** Returns the text with each secret replaced by `[REDACTED:<rule or secret name>]`. */
  redact(text: string): string {
    if (text.length === 0) return text;
    const spans: RedactionSpan[] = [];
    this.findSecrets(text, spans);
    for (const set of this.ruleSets) findRuleMatches(set, text, spans);
    return spans.length === 0 ? text : applySpans(text, spans);
  }

  /** What redact(text) would replace, and where the text must not be cut (see RedactionScan). */
  scan(text: string): RedactionScan {
    const spans: RedactionSpan[] = [];
    const regions: [number, number][] = [];
    this.findSecrets(text, spans);
    for (const set of this.ruleSets) findRuleMatches(set, text, spans, regions);
    for (const span of spans) regions.push([span.start, span.end]);
    return { spans, regions };
  }

  /** The length of the longest form (exact, escaped, encoded) of any registered secret. */
  get longestSecretFormLength(): number {
    return this.longestForm;
  }

  /** Redacts string values (and keys' values) deeply in JSON-like data; returns a copy. Object
   * keys are redacted too, and a string under a sensitive key (authorization, *password,
   * *token, *secret, *api_key, …) is replaced whole. */
  redactValue<T>(value: T): T {
    return this.redactDeep(value, undefined, new WeakMap()) as T;
  }

  private rebuildSecrets(): void {
    this.secretByForm = new Map();
    for (const [name, value] of this.secrets) {
      const exact = value.trim().length >= MIN_SECRET_LENGTH ? [value, value.trim()] : [value];
      for (const middle of exact.flatMap(base64Middles)) {
        this.secretByForm.set(middle, { name, base64Run: base64RunChars(middle) });
      }
      // Set after the base64 forms: a literal form is redacted as itself, not as a run.
      for (const form of secretForms(value)) this.secretByForm.set(form, { name });
    }
    // Longest first: where two forms start at the same place, the longer one wins.
    const forms = [...this.secretByForm.keys()].sort((a, b) => b.length - a.length);
    this.longestForm = forms[0]?.length ?? 0;
    this.secretRegex =
      forms.length === 0 ? undefined : new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  }

  private findSecrets(text: string, spans: RedactionSpan[]): void {
    const regex = this.secretRegex;
    if (regex === undefined) return;
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      const { name, base64Run } = this.secretByForm.get(match[0]) as SecretForm;
      const start = match.index;
      const end = start + match[0].length;
      const span = base64Run ? enclosingBase64Run(text, start, end, base64Run) : { start, end };
      spans.push({ ...span, name, priority: 2 });
      // Resume one character later, not after the match: a secret overlapping this one must
      // be found too, or its tail would survive.
      regex.lastIndex = match.index + 1;
    }
  }

  private redactDeep(
    value: unknown,
    sensitiveName: string | undefined,
    seen: WeakMap<object, unknown>,
  ): unknown {
    if (typeof value === 'string') {
      if (sensitiveName === undefined || value === '' || REDACTED_SHAPE.test(value)) {
        return this.redact(value);
      }
      const scheme =
        sensitiveName === 'authorization-header' ? /^([A-Za-z][\w-]*) +\S/.exec(value) : null;
      return `${scheme ? `${scheme[1]} ` : ''}[REDACTED:${sensitiveName}]`;
    }
    if (typeof value !== 'object' || value === null) return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      seen.set(value, copy);
      for (const item of value) copy.push(this.redactDeep(item, sensitiveName, seen));
      return copy;
    }
    if (value instanceof Map) {
      const copy = new Map();
      seen.set(value, copy);
      for (const [key, item] of value) {
        const name = typeof key === 'string' ? sensitiveKeyName(key) : undefined;
        copy.set(this.redactDeep(key, undefined, seen), this.redactDeep(item, name, seen));
      }
      return copy;
    }
    if (value instanceof Set) {
      const copy = new Set();
      seen.set(value, copy);
      for (const item of value) copy.add(this.redactDeep(item, undefined, seen));
      return copy;
    }
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof RegExp || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      return value;
    }
    // Plain objects, class instances and errors: same prototype, own enumerable keys redacted.
    const copy = Object.create(Object.getPrototypeOf(value) as object | null) as object;
    seen.set(value, copy);
    if (value instanceof Error) {
      for (const key of ['message', 'stack'] as const) {
        if (typeof value[key] === 'string') {
          Object.defineProperty(copy, key, {
            value: this.redact(value[key]),
            writable: true,
            configurable: true,
          });
        }
      }
      if ('cause' in value) {
        Object.defineProperty(copy, 'cause', {
          value: this.redactDeep(value.cause, undefined, seen),
          writable: true,
          configurable: true,
        });
      }
    }
    for (const [key, item] of Object.entries(value)) {
      let redactedKey = this.redact(key);
      // Two keys that redact alike (two tokens used as keys) must not overwrite each other.
      for (let n = 2; redactedKey !== key && Object.hasOwn(copy, redactedKey); n++) {
        redactedKey = `${this.redact(key)}#${n}`;
      }
      // defineProperty, not assignment: an own "__proto__" key (JSON.parse makes those) must
      // stay data and not replace the copy's prototype.
      Object.defineProperty(copy, redactedKey, {
        value: this.redactDeep(item, sensitiveKeyName(key), seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
}

function findRuleMatches(
  set: RuleSet,
  text: string,
  spans: RedactionSpan[],
  regions?: [number, number][],
): void {
  const { regex, rules } = set;
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    if (match[0] === '') {
      regex.lastIndex++;
      continue;
    }
    const matched = rules.find((candidate) => match[candidate.group] !== undefined) as CompiledRule;
    const whole = (match.indices as RegExpIndicesArray)[matched.group] as [number, number];
    const secret = matched.hasSecretGroup ? match.indices?.[matched.group + 1] : undefined;
    const [start, end] = secret ?? whole;
    const partial = start !== whole[0] || end !== whole[1];
    spans.push({ start, end, name: matched.name, priority: partial ? 0 : 1 });
    if (partial) regions?.push(whole);
    // The kept part of a partial match (a URL's user name, say) may hold another credential,
    // and its value may be a token that a more specific rule names: scan it again.
    if (partial) regex.lastIndex = whole[0] + 1;
  }
}
