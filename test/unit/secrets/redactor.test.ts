import { describe, expect, it } from 'vitest';
import { REDACTION_RULES, Redactor } from '../../../src-main/secrets/redactor.js';
import { FAKE_CREDENTIALS, filler, privateKeyBlock } from './fakeSecrets.js';

const redactor = new Redactor();
const redact = (text: string) => redactor.redact(text);

function fake(label: string): string {
  const found = FAKE_CREDENTIALS.find((candidate) => candidate.label === label);
  if (found === undefined) throw new Error(`no fake credential labelled ${label}`);
  return found.value;
}

describe('Redactor pattern rules: credentials are redacted', () => {
  it.each(FAKE_CREDENTIALS)('$label → [REDACTED:$rule]', ({ rule, value }) => {
    expect(redact(value)).toBe(`[REDACTED:${rule}]`);
    expect(redact(`before ${value} after`)).toBe(`before [REDACTED:${rule}] after`);
    expect(redact(`key="${value}";`)).toBe(`key="[REDACTED:${rule}]";`);
  });

  it('has a fake credential for every default rule that redacts whole tokens', () => {
    const partialRules = [
      'authorization-header',
      'api-key-header',
      'aws-secret-access-key',
      'url-password',
    ];
    const covered = new Set([...FAKE_CREDENTIALS.map((fake) => fake.rule), ...partialRules]);
    expect(REDACTION_RULES.map((rule) => rule.name).filter((name) => !covered.has(name))).toEqual(
      [],
    );
    for (const rule of REDACTION_RULES) expect(rule.pattern.global).toBe(true);
  });

  it('finds a token that follows a JSON escape such as \\n inside a serialized log line', () => {
    const token = 'gh' + 'p_' + filler(36);
    const line = JSON.stringify({ output: `line one\n${token}\tdone` });
    expect(redact(line)).toBe(
      JSON.stringify({ output: 'line one\n[REDACTED:github-token]\tdone' }),
    );
  });

  it('redacts a multi-line private key block, also JSON-escaped', () => {
    const block = privateKeyBlock('EC');
    expect(redact(`key:\n${block}\nnext line`)).toBe('key:\n[REDACTED:private-key]\nnext line');
    const line = JSON.stringify({ file: 'id_ec', text: `${block}\n` });
    expect(JSON.parse(redact(line))).toEqual({ file: 'id_ec', text: '[REDACTED:private-key]\n' });
  });

  it('redacts a private key cut off before its END line, keeping a JSON line valid', () => {
    const truncated = privateKeyBlock().split('\n').slice(0, 2).join('\n');
    expect(redact(`cat id_rsa\n${truncated}`)).toBe('cat id_rsa\n[REDACTED:private-key]');
    const line = JSON.stringify({ text: truncated, exit: 0 });
    expect(JSON.parse(redact(line))).toEqual({ text: '[REDACTED:private-key]', exit: 0 });
  });

  it('redacts an Authorization header value but keeps the header name and scheme', () => {
    const bearer = filler(32, 'tOk3n_');
    const basic = Buffer.from('deploy:' + 'pa55word!').toString('base64');
    expect(redact(`Authorization: Bearer ${bearer}`)).toBe(
      'Authorization: Bearer [REDACTED:authorization-header]',
    );
    expect(redact(`authorization: Basic ${basic}`)).toBe(
      'authorization: Basic [REDACTED:authorization-header]',
    );
    expect(redact(`-H "Authorization: token ${'gh' + 'p_' + filler(36)}"`)).toBe(
      // The more specific rule names a value both rules match.
      '-H "Authorization: token [REDACTED:github-token]"',
    );
    expect(redact(`{"Authorization":"Bearer ${bearer}"}`)).toBe(
      '{"Authorization":"Bearer [REDACTED:authorization-header]"}',
    );
    expect(redact(`Proxy-Authorization: ${filler(24, 'r4w')}`)).toBe(
      'Proxy-Authorization: [REDACTED:authorization-header]',
    );
  });

  it('redacts x-api-key style headers and api_key parameters, keeping the name', () => {
    const key = filler(40, 'k3Y');
    expect(redact(`x-api-key: ${key}`)).toBe('x-api-key: [REDACTED:api-key-header]');
    expect(redact(`X-Goog-Api-Key: ${key}`)).toBe('X-Goog-Api-Key: [REDACTED:api-key-header]');
    expect(redact(`GET /v1/items?api_key=${key}&page=2`)).toBe(
      'GET /v1/items?api_key=[REDACTED:api-key-header]&page=2',
    );
    expect(redact(`{"apiKey": "${key}"}`)).toBe('{"apiKey": "[REDACTED:api-key-header]"}');
  });

  it('redacts a labelled AWS secret access key, keeping the label', () => {
    const secret = filler(40, 'wQ3r/K7+Zx');
    expect(redact(`aws_secret_access_key = ${secret}`)).toBe(
      'aws_secret_access_key = [REDACTED:aws-secret-access-key]',
    );
    expect(redact(`export AWS_SECRET_ACCESS_KEY=${secret}`)).toBe(
      'export AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-access-key]',
    );
    expect(redact(`"SecretAccessKey": "${secret}",`)).toBe(
      '"SecretAccessKey": "[REDACTED:aws-secret-access-key]",',
    );
  });

  it('redacts the password of a URL, keeping scheme, user and host', () => {
    const password = 'hunter2' + 'hunter2';
    expect(redact(`postgres://app:${password}@db.internal:5432/app`)).toBe(
      'postgres://app:[REDACTED:url-password]@db.internal:5432/app',
    );
    expect(redact(`redis://:${password}@cache:6379`)).toBe(
      'redis://:[REDACTED:url-password]@cache:6379',
    );
  });

  it('still finds a token used as the user name of a URL with a password', () => {
    const token = 'gh' + 'p_' + filler(36);
    expect(redact(`https://${token}:x-oauth-basic@github.com/org/repo.git`)).toBe(
      'https://[REDACTED:github-token]:[REDACTED:url-password]@github.com/org/repo.git',
    );
  });

  it('redacts several different credentials in one line', () => {
    const anthropic = fake('Anthropic api03 key');
    const slack = fake('Slack bot token');
    const line = `ANTHROPIC_API_KEY=${anthropic} SLACK=${slack}`;
    expect(redact(line)).toBe(
      'ANTHROPIC_API_KEY=[REDACTED:anthropic-api-key] SLACK=[REDACTED:slack-token]',
    );
  });

  it('is idempotent', () => {
    const token = 'gh' + 'p_' + filler(36);
    const text = [
      ...FAKE_CREDENTIALS.map((fake) => fake.value),
      `https://${token}:x-oauth-basic@github.com`,
      `postgres://app:${'pa55' + 'word99'}@db`,
      `Authorization: Bearer ${filler(30)}`,
      `x-api-key: ${filler(30)}`,
      `aws_secret_access_key=${filler(40)}`,
    ].join(' | ');
    const once = redact(text);
    expect(once).not.toContain(token);
    expect(redact(once)).toBe(once);
  });
});

describe('Redactor pattern rules: look-alikes are left alone', () => {
  it.each([
    [
      'sk- inside ordinary words',
      'the task-ant and the desk-antenna; skip-ant-tests; risk-assessment',
    ],
    ['a short sk- word', 'sk-learn is a library; use sk-1 or sk-abc'],
    ['a git commit SHA', 'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (HEAD -> main)'],
    ['a UUID', 'request 123e4567-e89b-12d3-a456-426614174000 finished'],
    ['AKIAEXAMPLE, too short', 'set AKIAEXAMPLE as a placeholder'],
    ['Authorization in prose', 'Authorization failed: the Authorization header is missing'],
    ['Authorization with a placeholder', 'Authorization: Bearer <token>'],
    ['Authorization with a variable', 'Authorization: Bearer $API_TOKEN'],
    ['Authorization with a word', 'Authorization: required for this endpoint'],
    ['Authorization with an invalid Basic value', 'Authorization: Basic authentication'],
    ['x-api-key in prose', 'the x-api-key header is required; x-api-key: <your key>'],
    ['password as a word', 'Enter your password; password reset sent; password: (hidden)'],
    ['a URL with a user but no password', 'clone https://user@host.example/repo.git'],
    ['a URL with a port', 'GET http://localhost:8080/api?x=1 and ssh://git@host:22/repo'],
    [
      'a URL with a placeholder password',
      'postgres://app:<password>@db or mysql://root:${DB_PASSWORD}@localhost',
    ],
    ['an scp-style git remote', 'git@github.com:org/repo.git'],
    [
      'a certificate',
      '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----',
    ],
    [
      'a public key',
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n-----END PUBLIC KEY-----',
    ],
    ['base64 in prose', 'the payload was aGVsbG8gd29ybGQgdGhpcyBpcyBhIHRlc3Q= yesterday'],
    ['CSS colors', 'color: #ff00aa; background: #abcdef12; border: 1px solid rgb(0, 0, 0)'],
    ['a POSIX path', '/usr/local/lib/node_modules/omnipalm/dist/main.js:120:7'],
    ['a Windows path', 'C:\\Users\\me\\AppData\\Roaming\\OmniPalm\\config.yaml'],
    ['xoxo without a token', 'thanks, xoxo-2018 and xoxo-hugs'],
    ['a GitHub prefix without a token', 'ghp_ tokens and github_pat_ tokens expire'],
    ['an AIza word that is too short', 'AIzaSyShort is not a key'],
    ['a Stripe publishable key', 'pk_live_' + 'publishable'],
    ['eyJ without a JWT', 'eyJhbGciOiJIUzI1NiJ9 alone is only a header'],
    ['a secret_access_key label without a value', 'secret_access_key = <redacted>'],
  ])('%s', (_label, text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('Redactor registered secrets', () => {
  const value = 'Zq8$kP2!mW5"xR9\\tY/3+';

  function withSecret(name = 'OPENROUTER_KEY', secret = value): Redactor {
    const fresh = new Redactor();
    fresh.registerSecret(name, secret);
    return fresh;
  }

  it('redacts the exact value wherever it appears, also inside longer strings', () => {
    const fresh = withSecret();
    expect(fresh.redact(value)).toBe('[REDACTED:OPENROUTER_KEY]');
    expect(fresh.redact(`prefix${value}suffix and again ${value}`)).toBe(
      'prefix[REDACTED:OPENROUTER_KEY]suffix and again [REDACTED:OPENROUTER_KEY]',
    );
  });

  it('redacts the JSON-escaped form, once and twice escaped', () => {
    const fresh = withSecret();
    const once = JSON.stringify({ env: { KEY: value } });
    expect(JSON.parse(fresh.redact(once))).toEqual({ env: { KEY: '[REDACTED:OPENROUTER_KEY]' } });
    const twice = JSON.stringify({ line: once });
    expect(JSON.parse(JSON.parse(fresh.redact(twice)).line)).toEqual({
      env: { KEY: '[REDACTED:OPENROUTER_KEY]' },
    });
  });

  it('redacts the URL-encoded and form-encoded forms', () => {
    const spaced = 'open sesame/2024+';
    const fresh = withSecret('DB_PASSWORD', spaced);
    const encoded = encodeURIComponent(spaced);
    expect(fresh.redact(`https://api.example/x?token=${encoded}`)).toBe(
      'https://api.example/x?token=[REDACTED:DB_PASSWORD]',
    );
    const lowerHex = encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    expect(fresh.redact(`x=${lowerHex}`)).toBe('x=[REDACTED:DB_PASSWORD]');
    expect(fresh.redact(`body: ${new URLSearchParams({ p: spaced }).toString()}`)).toBe(
      'body: p=[REDACTED:DB_PASSWORD]',
    );
  });

  it('redacts the base64 forms at every alignment inside a longer base64 run', () => {
    const fresh = withSecret();
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:', '{"key":"']) {
      for (const suffix of ['', '!', 'xy', '"}']) {
        const bytes = Buffer.from(`${prefix}${value}${suffix}`);
        for (const encoding of ['base64', 'base64url'] as const) {
          const encoded = bytes.toString(encoding);
          expect(fresh.redact(`Authorization: Basic ${encoded} done`), encoding).toBe(
            'Authorization: Basic [REDACTED:OPENROUTER_KEY] done',
          );
          expect(fresh.redact(`"${encoded}"`)).toBe('"[REDACTED:OPENROUTER_KEY]"');
        }
      }
    }
  });

  it('keeps a JSON escape before a redacted base64 run, so the line stays valid JSON', () => {
    const fresh = withSecret();
    const encoded = Buffer.from(`x${value}`).toString('base64');
    for (const escape of ['\n', 'é', '\\']) {
      const line = JSON.stringify({ out: `${escape}${encoded}` });
      expect(JSON.parse(fresh.redact(line))).toEqual({ out: `${escape}[REDACTED:OPENROUTER_KEY]` });
    }
  });

  it('leaves base64 of other data alone', () => {
    const fresh = withSecret();
    const other = Buffer.from(`${value.slice(0, 10)} is only half of it`).toString('base64');
    expect(fresh.redact(`blob ${other}`)).toBe(`blob ${other}`);
    expect(fresh.longestSecretFormLength).toBeGreaterThanOrEqual(value.length);
  });

  it('redacts a value read with a trailing newline also without it', () => {
    const fresh = withSecret('FILE_KEY', 'from-a-file-123\n');
    expect(fresh.redact('the key from-a-file-123 was used')).toBe(
      'the key [REDACTED:FILE_KEY] was used',
    );
  });

  it('refuses values shorter than 8 characters without echoing them', () => {
    const fresh = new Redactor();
    expect(() => fresh.registerSecret('PIN', 'abc1234')).toThrow(/PIN.*7 characters/);
    expect(() => fresh.registerSecret('PIN', 'abc1234')).not.toThrow(/abc1234/);
    expect(() => fresh.registerSecret('EMPTY', '')).toThrow(/shorter than 8/);
  });

  it('refuses names that could not be written as [REDACTED:<name>]', () => {
    expect(() => new Redactor().registerSecret('has space]', 'long-enough-value')).toThrow(/name/);
  });

  it('stops redacting a secret once unregistered, and replaces a re-registered value', () => {
    const fresh = withSecret('ROTATED', 'first-value-111');
    fresh.registerSecret('ROTATED', 'second-value-222');
    expect(fresh.redact('first-value-111 second-value-222')).toBe(
      'first-value-111 [REDACTED:ROTATED]',
    );
    fresh.unregisterSecret('ROTATED');
    fresh.unregisterSecret('NEVER_REGISTERED');
    expect(fresh.redact('second-value-222')).toBe('second-value-222');
  });

  it('redacts the longer of two secrets when one contains the other, in either order', () => {
    for (const order of [
      ['SHORT', 'LONG'],
      ['LONG', 'SHORT'],
    ]) {
      const fresh = new Redactor();
      const values: Record<string, string> = { SHORT: 'abcdefgh', LONG: 'abcdefgh-and-more' };
      for (const name of order) fresh.registerSecret(name, values[name] as string);
      expect(fresh.redact('x abcdefgh-and-more y abcdefgh z')).toBe(
        'x [REDACTED:LONG] y [REDACTED:SHORT] z',
      );
    }
  });

  it('redacts the whole union of overlapping secrets, leaving no fragment', () => {
    const fresh = new Redactor();
    fresh.registerSecret('HEAD', 'abcdefgh1234');
    fresh.registerSecret('TAIL', '1234wxyzQRSTUV');
    expect(fresh.redact('x abcdefgh1234wxyzQRSTUV y')).toBe('x [REDACTED:TAIL] y');
  });

  it('names a span matched by both a rule and a registered secret after the secret', () => {
    const anthropic = fake('Anthropic api03 key');
    const fresh = withSecret('ANTHROPIC_API_KEY', anthropic);
    expect(fresh.redact(`Authorization: Bearer ${anthropic}`)).toBe(
      'Authorization: Bearer [REDACTED:ANTHROPIC_API_KEY]',
    );
    expect(fresh.redact(`key ${anthropic}.`)).toBe('key [REDACTED:ANTHROPIC_API_KEY].');
  });
});

describe('Redactor.redactValue', () => {
  const token = 'gh' + 'p_' + filler(36);

  it('redacts strings deeply and returns a copy, leaving the input untouched', () => {
    const input = {
      tool: 'shell',
      argv: ['git', 'push', `https://x:${token}@github.com/o/r`],
      nested: { output: `token ${token}`, exit: 0, ok: true, none: null },
    };
    const before = structuredClone(input);
    const output = redactor.redactValue(input);
    expect(output).toEqual({
      tool: 'shell',
      argv: ['git', 'push', 'https://x:[REDACTED:github-token]@github.com/o/r'],
      nested: { output: 'token [REDACTED:github-token]', exit: 0, ok: true, none: null },
    });
    expect(input).toEqual(before);
    expect(output.nested).not.toBe(input.nested);
  });

  it('replaces the whole value under a sensitive key, keeping an Authorization scheme', () => {
    expect(
      redactor.redactValue({
        headers: { Authorization: 'Bearer abc', 'x-api-key': 'short', accept: 'text/html' },
        db_password: 'hunter2',
        clientSecret: 'xyz',
        'set-cookie': ['session=abc; HttpOnly'],
        max_tokens: 1024,
        token_type: 'bearer',
        password: '',
      }),
    ).toEqual({
      headers: {
        Authorization: 'Bearer [REDACTED:authorization-header]',
        'x-api-key': '[REDACTED:api-key-header]',
        accept: 'text/html',
      },
      db_password: '[REDACTED:sensitive-field]',
      clientSecret: '[REDACTED:sensitive-field]',
      'set-cookie': ['[REDACTED:sensitive-field]'],
      max_tokens: 1024,
      token_type: 'bearer',
      password: '',
    });
  });

  it('redacts object keys, keeping two keys that redact alike apart', () => {
    const other = 'gh' + 'p_' + filler(36, 'Qq1');
    expect(redactor.redactValue({ [token]: 1, [other]: 2 })).toEqual({
      '[REDACTED:github-token]': 1,
      '[REDACTED:github-token]#2': 2,
    });
  });

  it('keeps an own "__proto__" key as data', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as object;
    const copy = redactor.redactValue(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"polluted":true},"ok":1}');
  });

  it('copies errors with their message and stack redacted, keeping the class', () => {
    const error = new TypeError(`request failed with ${token}`);
    const copy = redactor.redactValue(error);
    expect(copy).toBeInstanceOf(TypeError);
    expect(copy.message).toBe('request failed with [REDACTED:github-token]');
    expect(copy.stack).not.toContain(token);
  });

  it('handles cycles, Maps and Sets', () => {
    const cyclic: { self?: unknown; text: string } = { text: token };
    cyclic.self = cyclic;
    const copy = redactor.redactValue(cyclic);
    expect(copy.self).toBe(copy);
    expect(copy.text).toBe('[REDACTED:github-token]');
    const map = redactor.redactValue(new Map([['authorization', 'Basic abc']]));
    expect(map.get('authorization')).toBe('Basic [REDACTED:authorization-header]');
    expect(redactor.redactValue(new Set([token]))).toEqual(new Set(['[REDACTED:github-token]']));
  });
});

describe('Redactor custom rules', () => {
  it('uses only the given rules, with any flags, and a first group as the secret', () => {
    const custom = new Redactor({
      rules: [
        { name: 'ticket-key', pattern: /\btkt_[a-z0-9]{12}\b/gi },
        { name: 'pin', pattern: /\bpin=(\d{4,8})\b/g },
        { name: 'doubled', pattern: /\b((\w{4})-\2)\b/g },
      ],
    });
    expect(custom.redact('TKT_ABCDEF123456 pin=123456 abab-abab')).toBe(
      '[REDACTED:ticket-key] pin=[REDACTED:pin] [REDACTED:doubled]',
    );
    expect(custom.redact('gh' + 'p_' + filler(36))).toBe('gh' + 'p_' + filler(36));
  });

  it('can run with no pattern rules at all, only registered secrets', () => {
    const secretsOnly = new Redactor({ rules: [] });
    secretsOnly.registerSecret('K', 'only-this-secret');
    expect(secretsOnly.redact('gh' + 'p_' + filler(36) + ' only-this-secret')).toBe(
      'gh' + 'p_' + filler(36) + ' [REDACTED:K]',
    );
  });
});
