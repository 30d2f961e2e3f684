// The operations the policy judges, apart from the schema so that a command can name them
// (`omnipalm policy check --op …`) without loading zod.

/** What `security.confirm_operations` may name (DESIGN.md §3). */
export const OPERATIONS = [
  'read',
  'write',
  'delete',
  'list',
  'execute_shell',
  'send_email',
  'http_request',
  'browser',
  'deploy',
  'mcp_call',
] as const;
export type Operation = (typeof OPERATIONS)[number];
