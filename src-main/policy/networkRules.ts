// Checks for operations that send data out: email recipients, HTTP targets, browser URLs.
// Each returns a problem sentence (to deny with) or undefined.

// CR/LF in an address would let a crafted recipient inject extra mail headers (Bcc: …).
const EMAIL_ADDRESS =
  /^[^\s@<>,;:"()[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

export function recipientProblem(recipients: readonly string[]): string | undefined {
  if (!Array.isArray(recipients) || recipients.length === 0)
    return 'an email needs at least one recipient';
  const bad = recipients.find(
    (recipient) => typeof recipient !== 'string' || !EMAIL_ADDRESS.test(recipient),
  );
  return bad === undefined ? undefined : `not a valid email address: ${JSON.stringify(bad)}`;
}

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function parseHttpUrl(url: string): { url: URL } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `not a valid URL: ${JSON.stringify(url)}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { problem: `only http and https URLs are allowed, got ${parsed.protocol}` };
  }
  // A password in a URL ends up in logs and the model's context; secrets live in the keychain.
  if (parsed.username || parsed.password) {
    return {
      problem:
        'the URL carries credentials (user:password@); store them with omnipalm keys set instead',
    };
  }
  return { url: parsed };
}

/** "api.example.com", "api.example.com:8443" or "*.example.com" (subdomains only). */
export function hostAllowed(url: URL, patterns: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const hostWithPort = url.port ? `${host}:${url.port}` : host;
  return patterns.some((raw) => {
    const pattern = raw.toLowerCase();
    if (pattern.startsWith('*.')) {
      const suffix = pattern.slice(1);
      return host.endsWith(suffix) && host.length > suffix.length;
    }
    return pattern.includes(':') ? pattern === hostWithPort : pattern === host;
  });
}

/** The hosts configured integrations talk to (Jira, Slack when enabled): "host" or "host:port". */
export function integrationHosts(integrations: {
  jira: { enabled: boolean; base_url?: string | undefined };
  slack: { enabled: boolean; base_url: string };
}): string[] {
  const hosts: string[] = [];
  for (const integration of [integrations.jira, integrations.slack]) {
    if (!integration.enabled || !integration.base_url) continue;
    const url = new URL(integration.base_url);
    hosts.push(url.port ? `${url.hostname}:${url.port}` : url.hostname);
  }
  return hosts;
}
