// The environment handed to anything OmniPalm starts (shell commands, tools, helpers). A child
// inherits every variable; without this, `env`, a crash dump or a prompt-injected
// `echo $OMNIPALM_LLM_API_KEY` would hand the app's own credentials to the command and from
// there to the model, the log or the network.

/** The variables through which OmniPalm itself is given its secrets. */
const OMNIPALM_SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'OMNIPALM_LLM_API_KEY',
  'OMNIPALM_JIRA_TOKEN',
  'OMNIPALM_SLACK_TOKEN',
  'OMNIPALM_SMTP_PASSWORD',
]);

/** Any other OmniPalm variable named like a secret (OMNIPALM_GITHUB_TOKEN, …_SECRET). */
const OMNIPALM_SECRET_NAME = /^OMNIPALM(?:_\w*)?_(?:KEY|TOKEN|PASSWORD|SECRET)$/i;

/**
 * MCP servers' secrets (mcp_company_docs → OMNIPALM_MCP_COMPANY_DOCS): the user names them,
 * so their names need not look like secrets — every one of them is one.
 */
const OMNIPALM_MCP_SECRET = /^OMNIPALM_MCP_/i;

/**
 * A copy of `env` without OmniPalm's secret variables and without any variable whose value
 * contains one of `registeredValues` (the secrets the app holds, wherever they came from:
 * a user's own ANTHROPIC_API_KEY set to the same key is removed too). Values shorter than 8
 * characters are ignored, as Redactor.registerSecret refuses them. `env` is not changed.
 */
export function scrubEnvironment(
  env: NodeJS.ProcessEnv,
  registeredValues: Iterable<string>,
): NodeJS.ProcessEnv {
  const values = [...registeredValues].filter((value) => value.length >= 8);
  const scrubbed: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    // Windows variable names are case-insensitive: Omnipalm_Llm_Api_Key is the same variable.
    if (
      OMNIPALM_SECRET_VARIABLES.has(upper) ||
      OMNIPALM_SECRET_NAME.test(name) ||
      OMNIPALM_MCP_SECRET.test(name)
    ) {
      continue;
    }
    if (values.some((secret) => value.includes(secret))) continue;
    scrubbed[name] = value;
  }
  return scrubbed;
}
