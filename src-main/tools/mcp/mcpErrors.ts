// The errors a connection to an MCP server gives: each names the server and says what went
// wrong in one line a user can act on, with the tail of the server's stderr where that is
// where the reason is (a sandbox rule, a missing file, a stack trace).

export type McpFailure =
  /** The server could not be started or exited before initialize finished. */
  | 'start'
  /** It never answered initialize. */
  | 'initialize_timeout'
  /** It wrote something that is not an MCP message to stdout. */
  | 'junk'
  /** It broke the protocol (a malformed answer). */
  | 'protocol'
  /** It exited or the connection dropped while a call was pending. */
  | 'crash'
  /** A call got no answer in time. */
  | 'timeout'
  /** The caller cancelled the call. */
  | 'cancelled'
  /** The connection was closed for good. */
  | 'closed'
  /** The configuration cannot work (no command or url, a url outside the server's hosts). */
  | 'config';

export class McpConnectionError extends Error {
  constructor(
    readonly server: string,
    readonly failure: McpFailure,
    message: string,
    /** The last lines the server wrote to stderr, when it was started. */
    readonly stderr = '',
  ) {
    const tail = stderr.trim();
    super(`MCP server "${server}": ${message}${tail ? `; its stderr ends with: ${tail}` : ''}`);
    this.name = 'McpConnectionError';
  }
}

/**
 * The last `limit` characters a stream wrote: enough to show why a server died, bounded so a
 * server that logs without end cannot grow our memory (or an error message) without end.
 */
export class BoundedTail {
  private text = '';

  constructor(private readonly limit = 4000) {}

  append(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.limit);
  }

  toString(): string {
    return this.text;
  }
}
