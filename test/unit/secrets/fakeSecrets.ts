// Fake credentials of the right shape for the redactor tests. Each is assembled at run time
// from parts and repeated filler, so no complete token-shaped literal is in this repository
// for GitHub push protection, gitleaks or any other scanner to flag — and none is real.

/** `length` characters cycling through `alphabet`. */
export function filler(length: number, alphabet = 'aB3dE5fG7h'): string {
  return alphabet.repeat(Math.ceil(length / alphabet.length)).slice(0, length);
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

const BEGIN = '-----' + 'BEGIN';
const END = '-----' + 'END';
const PRIVATE = 'PRIV' + 'ATE KEY';

export function privateKeyBlock(kind = 'RSA'): string {
  const body = [filler(64, 'MIIEpA1bC2'), filler(64, 'dE3fG4hI5j'), filler(40, 'kL6mN7')];
  return [`${BEGIN} ${kind} ${PRIVATE}-----`, ...body, `${END} ${kind} ${PRIVATE}-----`].join('\n');
}

/** One fake credential per default rule, with the rule it must be redacted by. */
export const FAKE_CREDENTIALS: readonly { rule: string; label: string; value: string }[] = [
  {
    rule: 'anthropic-api-key',
    label: 'Anthropic api03 key',
    value: 'sk-' + 'ant-' + 'api03-' + filler(93) + 'AA',
  },
  {
    rule: 'anthropic-api-key',
    label: 'Anthropic admin key',
    value: 'sk-' + 'ant-' + 'admin01-' + filler(93, 'Qw9_-xZ2') + 'AA',
  },
  {
    rule: 'openai-api-key',
    label: 'OpenAI legacy key',
    value: 'sk-' + filler(20) + 'T3Blbk' + 'FJ' + filler(20, 'zY8xW7'),
  },
  {
    rule: 'openai-api-key',
    label: 'OpenAI project key',
    value: 'sk-' + 'proj-' + filler(74, 'pQ4_rS5-') + 'T3Blbk' + 'FJ' + filler(74),
  },
  {
    rule: 'openai-api-key',
    label: 'OpenAI service-account key',
    value: 'sk-' + 'svcacct-' + filler(58, 'tU6vW7_') + 'T3Blbk' + 'FJ' + filler(58),
  },
  {
    rule: 'slack-token',
    label: 'Slack bot token',
    value: 'xox' + 'b-' + '1'.repeat(12) + '-' + '2'.repeat(13) + '-' + filler(24),
  },
  {
    rule: 'slack-token',
    label: 'Slack user token',
    value:
      'xox' +
      'p-' +
      '3'.repeat(11) +
      '-' +
      '4'.repeat(10) +
      '-' +
      '5'.repeat(11) +
      '-' +
      filler(32),
  },
  {
    rule: 'slack-webhook-url',
    label: 'Slack webhook URL',
    value:
      'https://hooks.' +
      'slack.com/services/' +
      'T' +
      filler(8, 'A1B2') +
      '/B' +
      filler(10, 'C3D4') +
      '/' +
      filler(24),
  },
  { rule: 'github-token', label: 'GitHub classic PAT', value: 'gh' + 'p_' + filler(36) },
  { rule: 'github-token', label: 'GitHub OAuth token', value: 'gh' + 'o_' + filler(36, 'Zz9Yy8') },
  { rule: 'github-token', label: 'GitHub user-to-server token', value: 'gh' + 'u_' + filler(36) },
  { rule: 'github-token', label: 'GitHub server-to-server token', value: 'gh' + 's_' + filler(36) },
  { rule: 'github-token', label: 'GitHub refresh token', value: 'gh' + 'r_' + filler(76) },
  {
    rule: 'github-token',
    label: 'GitHub fine-grained PAT',
    value: 'github' + '_pat_' + filler(22, '11AB2cd') + '_' + filler(59),
  },
  {
    rule: 'aws-access-key-id',
    label: 'AWS access key id',
    value: 'AK' + 'IA' + filler(16, 'QZ2X7WRT'),
  },
  { rule: 'aws-access-key-id', label: 'AWS STS key id', value: 'AS' + 'IA' + filler(16, 'MN3B4V') },
  {
    rule: 'atlassian-api-token',
    label: 'Atlassian API token',
    value: 'ATA' + 'TT3' + filler(186, 'xF_9k-Lp2='),
  },
  { rule: 'google-api-key', label: 'Google API key', value: 'AI' + 'za' + filler(35, 'Sy_3-Bq7') },
  {
    rule: 'stripe-secret-key',
    label: 'Stripe live secret key',
    value: 'sk' + '_live_' + filler(24),
  },
  {
    rule: 'stripe-secret-key',
    label: 'Stripe restricted key',
    value: 'rk' + '_live_' + filler(24),
  },
  {
    rule: 'jwt',
    label: 'JWT',
    value: [
      base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })),
      base64url(JSON.stringify({ sub: '1234567890', name: 'Test User', iat: 1700000000 })),
      filler(43, 'sIg_n4-'),
    ].join('.'),
  },
  { rule: 'private-key', label: 'RSA private key block', value: privateKeyBlock() },
  { rule: 'private-key', label: 'OpenSSH private key block', value: privateKeyBlock('OPENSSH') },
];
