/**
 * Electron wraps an error thrown in main as "Error invoking remote method 'mcp.review':
 * McpConnectionError: MCP server …"; the user needs the message main wrote, not the wrapping.
 */
const ELECTRON_WRAPPING = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** A message from a rejected call, for an inline error. */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(ELECTRON_WRAPPING, '');
}
