// `omnipalm start --headless`: the agent core, the contract's handlers and the loopback server,
// composed, and taken down in order on SIGTERM/SIGINT: the server refuses new calls and closes
// its sockets, running tasks are stopped (their shells end), then the core closes the audit
// log (after the line in flight), SQLite and the sandbox's proxies.
import { AgentCore } from '../agent/core.js';
import { loadOrCreateApiToken } from './apiToken.js';
import { coreEventHooks, createCoreHandlers, EventHub } from './coreHandlers.js';
import {
  startHeadlessServer,
  type HeadlessServer,
  type HeadlessServerOptions,
} from './httpServer.js';
import { openApiDocument } from './openapi.js';

export interface HeadlessOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  version: string;
  port?: number;
  host?: string;
  allowRemote?: boolean;
  /** The built renderer (out/renderer). */
  staticDir?: string;
  /** Lines for the user (the URL, warnings). */
  say: (line: string) => void;
}

export interface RunningHeadless {
  server: HeadlessServer;
  /** Takes everything down in order; safe to call twice. */
  stop(): Promise<void>;
  /** Resolves once stopped. */
  stopped: Promise<void>;
}

export async function startHeadless(options: HeadlessOptions): Promise<RunningHeadless> {
  const hub = new EventHub();
  const core = await AgentCore.open({
    home: options.home,
    env: options.env,
    ...coreEventHooks(hub),
  });
  let handlers: ReturnType<typeof createCoreHandlers> | undefined;
  let server: HeadlessServer | undefined;
  try {
    const token = loadOrCreateApiToken(options.home);
    handlers = createCoreHandlers(core, { mode: 'headless', hub, version: options.version });
    server = await startHeadlessServer({
      handlers: handlers.handlers,
      subscribe: (emit) => hub.subscribe(emit),
      token,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.allowRemote !== undefined ? { allowRemote: options.allowRemote } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.staticDir !== undefined ? { staticDir: options.staticDir } : {}),
      openApi: () => openApiDocument(options.version),
      ...serverAuditHooks(core),
    });
  } catch (error) {
    await handlers?.close();
    await core.close();
    throw error;
  }
  const running = server;
  const taskHandlers = handlers;
  for (const warning of running.warnings) options.say(`warning: ${warning}`);
  options.say(`OmniPalm headless mode is listening on ${running.urls.join(' and ')}`);
  options.say(
    `Open in a browser (the token rides in the #fragment, never sent): ${running.openUrl}`,
  );
  options.say(
    `API: POST ${running.urls[0]}api/<channel> with Authorization: Bearer <token from ${options.home}/api-token>; reference at /api/openapi.json`,
  );

  let stopping: Promise<void> | undefined;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const stop = () => {
    stopping ??= (async () => {
      try {
        await running.close();
        await taskHandlers.close();
      } finally {
        await core.close();
        markStopped();
      }
    })();
    return stopping;
  };
  return { server: running, stop, stopped };
}

/** Where a bug was thrown: the first frame of its stack, for the audit line. */
function firstStackFrame(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  return /\n\s+at (.+)/.exec(stack)?.[1] ?? 'unknown';
}

/** How the server's alerts and bugs reach the audit trail (and so the log and the timeline). */
export function serverAuditHooks(
  core: Pick<AgentCore, 'trail'>,
): Pick<HeadlessServerOptions, 'onAuthFailure' | 'onInternalError'> {
  return {
    // The client got a bare 500; the details (which may name paths) stay on this machine.
    onInternalError: (where, error) =>
      core.trail.record({
        kind: 'error',
        level: 'ERROR',
        name: 'api.internal_error',
        text: `${where} failed: ${error instanceof Error ? error.message : String(error)}`,
        fields: { at: firstStackFrame(error) },
      }),
    onAuthFailure: (failure) =>
      core.trail.record({
        kind: 'alert',
        level: 'WARN',
        name: 'api.auth_failed',
        text: `refused an API request without a valid token: ${failure.reason}${failure.limitReached ? '; further failures from this address are answered 429 for the rest of the minute' : ''}`,
        fields: {
          remote: failure.remoteAddress,
          // Past the alert budget failures are only counted; the next line says how many.
          ...(failure.suppressed > 0 ? { unlogged_failures: failure.suppressed } : {}),
        },
      }),
  };
}
