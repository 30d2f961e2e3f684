// The configuration of MCP servers (integrations.mcp). A server is a third party's program or
// endpoint, so its configuration says only what the user decided: how to reach it, which
// secrets it gets (by name — values never live in config.yaml), which hosts it may reach, and
// a rule per tool. Nothing a server says about itself (annotations, its own tool list) is
// configuration.
import { z } from 'zod';

/**
 * A server's name. The model sees its tools as `mcp_<server>_<tool>` and provider tool names
 * are short and plain, so the name is too — and holds no `_`, so the first `_` after `mcp_`
 * always ends it (`mcp_my-db_run_query` is server my-db, tool run_query).
 */
export const MCP_SERVER_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** A user-named secret an MCP server may be given: `mcp_` then lowercase letters, digits, _. */
export const MCP_SECRET_NAME = /^mcp_[a-z0-9_]{1,60}$/;

/** A tool name as MCP servers give them (the spec's character set and length). */
const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// RFC 9110 token: anything else could split or smuggle a header.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const MCP_TOOL_RULES = ['allow', 'ask', 'deny'] as const;
export type McpToolRule = (typeof MCP_TOOL_RULES)[number];

/**
 * A secret *name* for an MCP server. Only `mcp_*` names: a server is someone else's code, and
 * OmniPalm's own keys (the model's API key, the SMTP password) must not reach it through a
 * line of config — store a separate key for the server instead. A value that is not such a
 * name is most likely the secret itself pasted into config.yaml, which would put it in a
 * plain file; the error says where the value belongs instead, and never repeats the value
 * (error lines end up in terminals and logs).
 */
const secretReference = z
  .string({ error: 'expected a secret name such as "mcp_github_token"' })
  .refine((value) => MCP_SECRET_NAME.test(value), {
    error: (issue) => {
      const input = String(issue.input);
      // Words joined by _ (no digits, which random tokens almost always have) are a name with
      // the wrong prefix, safe to echo back.
      if (input.length <= 40 && /^[a-z]+(?:_[a-z]+)*$/.test(input)) {
        const suggestion = `mcp_${input.replace(/^mcp_?/, '') || 'token'}`;
        return `expected a secret name starting with mcp_, got ${JSON.stringify(input)}; store the value with: omnipalm keys set ${suggestion}, and write ${suggestion} here`;
      }
      return 'expected a secret name such as "mcp_github_token", got what looks like a secret value (not shown); store it with: omnipalm keys set mcp_github_token, and write that name here instead';
    },
  });

/** A record whose keys must match `pattern`; the error names the key and what fits. */
function namedRecord<T extends z.ZodType>(
  pattern: RegExp,
  what: string,
  example: string,
  value: T,
  error: string,
) {
  return z.record(z.string(), value, { error }).superRefine((record, context) => {
    for (const key of Object.keys(record)) {
      if (pattern.test(key)) continue;
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `expected ${what} such as ${JSON.stringify(example)}, got ${JSON.stringify(key)}`,
        input: key,
      });
    }
  });
}

const hostName = z.string({ error: 'expected a host name' }).regex(/^(\*\.)?[a-z0-9.-]+(:\d+)?$/i, {
  error: 'expected a host name such as "api.example.com" or "*.example.com"',
});

const toolName = z
  .string({ error: 'expected a tool name' })
  .regex(MCP_TOOL_NAME, { error: 'expected a tool name as the server lists it' });

/** Built with `configuredPath` from schema.ts so that cwd follows the same path rules. */
export function mcpSchema(configuredPath: z.ZodType<string>) {
  const server = z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Offer this server (its tools still need approval).'),
      command: z
        .string({ error: 'expected a program to run, such as "npx"' })
        .min(1, { error: 'expected a program to run, got an empty string' })
        .optional()
        .describe('A stdio server: the program to start (runs in the OS sandbox).'),
      args: z
        .array(z.string({ error: 'expected an argument' }), {
          error: 'expected a list of arguments',
        })
        .default([])
        .describe("The program's arguments (argv, no shell)."),
      cwd: configuredPath.optional().describe('Folder the program starts in.'),
      env: namedRecord(
        ENV_VAR_NAME,
        'an environment variable name',
        'GITHUB_TOKEN',
        secretReference,
        'expected a map of environment variable to secret name',
      )
        .default({})
        .describe('Environment variable → secret name; the value comes from keychain/env.'),
      url: z
        .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
        .optional()
        .describe('A Streamable HTTP server: its endpoint.'),
      headers: namedRecord(
        HEADER_NAME,
        'a header name',
        'Authorization',
        secretReference,
        'expected a map of header name to secret name',
      )
        .default({})
        .describe('HTTP header → secret name whose value is sent (url servers).'),
      hosts: z
        .array(hostName, { error: 'expected a list of host names' })
        .default([])
        .describe('Hosts the server may reach on the network; empty: none.'),
      tools: namedRecord(
        MCP_TOOL_NAME,
        'a tool name',
        'search_issues',
        z.enum(MCP_TOOL_RULES, { error: 'expected one of allow, ask, deny' }),
        'expected a map of tool name to allow, ask or deny',
      )
        .default({})
        .describe('Tool → allow, ask or deny; a tool not listed: ask.'),
      read_only_tools: z
        .array(toolName, { error: 'expected a list of tool names' })
        .default([])
        .describe('Tools you consider read-only: with security.read_only only these run.'),
      resources: z.boolean().default(false).describe("Offer the server's resources."),
      prompts: z.boolean().default(false).describe("Offer the server's prompts."),
    })
    .superRefine((server, context) => {
      const stdio = server.command !== undefined;
      const http = server.url !== undefined;
      // Each message says what it got: the one-line formatter would otherwise append the
      // whole server ("got a map"), which tells the user nothing.
      if (stdio && http) {
        context.addIssue({
          code: 'custom',
          path: ['url'],
          message:
            'a server has either command (started over stdio) or url (Streamable HTTP), got both; remove one',
        });
        return;
      }
      if (!stdio && !http) {
        context.addIssue({
          code: 'custom',
          path: [],
          message:
            'expected command (a program started over stdio) or url (a Streamable HTTP endpoint), got neither; add one',
        });
        return;
      }
      // Keys for the other kind of server would be silently ignored; say so instead.
      const misplaced = stdio
        ? Object.keys(server.headers).length > 0
          ? ['headers']
          : []
        : [
            ...(server.args.length > 0 ? ['args'] : []),
            ...(server.cwd !== undefined ? ['cwd'] : []),
            ...(Object.keys(server.env).length > 0 ? ['env'] : []),
          ];
      for (const key of misplaced) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: stdio
            ? `${key} is only for url servers, got it on a command server; remove it (a command server gets secrets through env)`
            : `${key} is only for command servers, got it on a url server; remove it (a url server gets secrets through headers)`,
        });
      }
    });

  return z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('MCP servers below (high risk: third-party programs and endpoints).'),
      servers: namedRecord(
        MCP_SERVER_NAME,
        'a server name (lowercase letters, digits and -, at most 32)',
        'github',
        server,
        'expected a map of server name to server',
      )
        .default({})
        .describe(
          'Server name → { command, args, cwd, env } or { url, headers }, plus enabled, hosts, tools, read_only_tools, resources, prompts.',
        ),
    })
    .prefault({});
}

export type McpServerConfig = z.output<ReturnType<typeof mcpSchema>>['servers'][string];
