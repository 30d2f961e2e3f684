// Every error the headless server answers, as a kind with one HTTP status: this table is the
// only place a status is chosen, and the OpenAPI document is built from it. The rule: the
// user's setup or the request (no key, a stopped model server, a paused agent, an invalid
// config.yaml, a wrong token…) is a 4xx or a 503 whose message names the fix; 500 is kept for
// bugs, and a bug's message never leaves the server (it can hold paths, internals or worse).
import type { ChannelName } from '../../src-preload/contract.js';
import { AgentError, type AgentErrorKind } from '../agent/agentErrors.js';
import { ConfigError } from '../config/index.js';
import { McpConnectionError } from '../tools/mcp/mcpErrors.js';
import { McpHubError, type McpHubErrorKind } from '../tools/mcp/mcpHub.js';
import { ContractRequestError } from './dispatch.js';

export type ApiErrorKind =
  | AgentErrorKind
  | Exclude<McpHubErrorKind, 'mcp_tool_not_approved'>
  | 'mcp_connection_failed'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden_origin'
  | 'no_such_route'
  | 'method_not_allowed'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'misdirected_host'
  | 'too_many_auth_failures'
  | 'internal';

export interface ErrorKindInfo {
  status: number;
  /** For the OpenAPI document: when the kind is answered. */
  meaning: string;
}

export const ERROR_KINDS: Readonly<Record<ApiErrorKind, ErrorKindInfo>> = {
  bad_request: {
    status: 400,
    meaning: 'the request breaks the contract (the message names the field)',
  },
  unauthorized: { status: 401, meaning: 'missing or wrong bearer token' },
  forbidden_origin: { status: 403, meaning: 'sent by a page of another origin' },
  folder_not_allowed: { status: 403, meaning: 'the folder is outside security.allowed_paths' },
  no_such_route: { status: 404, meaning: 'no such channel or path' },
  terminal_not_found: { status: 404, meaning: 'the terminal session is not open (its task ended)' },
  session_not_found: {
    status: 404,
    meaning: 'no such session in this OMNIPALM_HOME (deleted, or of another home)',
  },
  mcp_server_unknown: {
    status: 404,
    meaning: 'no MCP server of that name under integrations.mcp.servers',
  },
  method_not_allowed: { status: 405, meaning: 'wrong HTTP method' },
  agent_paused: { status: 409, meaning: 'the agent is paused; resume it to start tasks' },
  session_busy: {
    status: 409,
    meaning: "the session's previous turn is still running; stop it or wait for it to end",
  },
  mcp_disabled: {
    status: 409,
    meaning: 'MCP servers are off; turn on integrations.mcp.enabled first',
  },
  mcp_server_disabled: {
    status: 409,
    meaning: 'the MCP server is disabled, or a secret it needs is not set (the message says which)',
  },
  mcp_listing_changed: {
    status: 409,
    meaning: "the server's tools changed since they were reviewed; review them again (mcp.review)",
  },
  mcp_listing_invalid: {
    status: 409,
    meaning: 'the server lists a tool name more than once, so its tools cannot be approved',
  },
  body_too_large: { status: 413, meaning: 'the request body is over 1 MB' },
  unsupported_media_type: { status: 415, meaning: 'the body is not sent as application/json' },
  misdirected_host: { status: 421, meaning: 'the Host header is not this server (DNS rebinding)' },
  not_a_folder: { status: 422, meaning: 'the folder given does not exist or is not a folder' },
  invalid_session_request: {
    status: 422,
    meaning: 'the session change is refused (an empty or over-long title, control characters)',
  },
  too_many_auth_failures: {
    status: 429,
    meaning: 'too many wrong tokens from this address; requests with the right token are served',
  },
  too_many_tasks: {
    status: 429,
    meaning: 'the most tasks at once are running; stop or wait for one',
  },
  internal: { status: 500, meaning: 'a bug in OmniPalm; the details are in the audit log only' },
  mcp_connection_failed: {
    status: 502,
    meaning:
      'the MCP server failed: it did not start (the sandbox rule that stopped it is named), broke the protocol, crashed or did not answer',
  },
  missing_model_key: {
    status: 503,
    meaning: 'no model API key is set (omnipalm keys set llm_api_key)',
  },
  model_endpoint_invalid: {
    status: 503,
    meaning: 'the model endpoint (llm.base_url) is missing or invalid',
  },
  model_unreachable: {
    status: 503,
    meaning: 'nothing answers at the model endpoint (llm.base_url)',
  },
  secret_unavailable: {
    status: 503,
    meaning: 'a key could not be read (keychain, secret command)',
  },
  invalid_config: {
    status: 503,
    meaning: 'config.yaml does not validate (omnipalm config validate)',
  },
  no_allowed_folder: { status: 503, meaning: 'none of security.allowed_paths exists as a folder' },
  shutting_down: { status: 503, meaning: 'the server or the agent is shutting down' },
};

/** What every /api channel can answer, whatever its handler does. */
export const TRANSPORT_ERROR_KINDS: readonly ApiErrorKind[] = [
  'bad_request',
  'unauthorized',
  'forbidden_origin',
  'method_not_allowed',
  'body_too_large',
  'unsupported_media_type',
  'misdirected_host',
  'too_many_auth_failures',
  'shutting_down',
  'internal',
];

/** Why a task cannot start: the user's setup or the agent's state (task.start, session.continue). */
const TASK_SETUP_KINDS: readonly ApiErrorKind[] = [
  'missing_model_key',
  'model_endpoint_invalid',
  'model_unreachable',
  'secret_unavailable',
  'invalid_config',
  'folder_not_allowed',
  'not_a_folder',
  'no_allowed_folder',
  'agent_paused',
  'too_many_tasks',
];

/** Why a server cannot be reviewed or approved (mcp.review, mcp.approve). */
const MCP_SERVER_KINDS: readonly ApiErrorKind[] = [
  'invalid_config',
  'mcp_server_unknown',
  'mcp_disabled',
  'mcp_server_disabled',
  'mcp_connection_failed',
];

/** What each channel's handler can answer besides those (the OpenAPI document lists both). */
export const CHANNEL_ERROR_KINDS: Readonly<Partial<Record<ChannelName, readonly ApiErrorKind[]>>> =
  {
    'task.start': TASK_SETUP_KINDS,
    'session.continue': ['session_not_found', 'session_busy', ...TASK_SETUP_KINDS],
    'session.turns': ['session_not_found'],
    'session.rename': ['session_not_found', 'invalid_session_request'],
    'session.delete': ['session_not_found', 'session_busy'],
    'terminal.resize': ['terminal_not_found'],
    'terminal.input': ['terminal_not_found'],
    'config.get': ['invalid_config'],
    'mcp.servers': ['invalid_config'],
    'mcp.review': MCP_SERVER_KINDS,
    'mcp.approve': [...MCP_SERVER_KINDS, 'mcp_listing_changed', 'mcp_listing_invalid'],
  };

export function statusOf(kind: ApiErrorKind): number {
  return ERROR_KINDS[kind].status;
}

/** The body of every error answer: `error` is what the UI shows, `kind` what a program tests. */
export interface ErrorBody {
  error: string;
  kind: ApiErrorKind;
}

/**
 * The answer for an error a channel's handler threw. Known classes carry their kind; anything
 * else is a bug: a 500 that names the channel only, while `internal` on the result lets the
 * caller log the real error where only the user can read it.
 */
export function answerForError(
  channel: string,
  error: unknown,
): { status: number; body: ErrorBody; internal: boolean } {
  const known = kindOf(error);
  if (known) {
    return {
      status: statusOf(known.kind),
      body: { error: known.message, kind: known.kind },
      internal: false,
    };
  }
  return {
    status: statusOf('internal'),
    body: {
      error: `${channel} failed because of a bug in OmniPalm, not your setup; the details are in the audit log ([error] api.internal_error) — please report it`,
      kind: 'internal',
    },
    internal: true,
  };
}

function kindOf(error: unknown): { kind: ApiErrorKind; message: string } | undefined {
  if (error instanceof ContractRequestError) return { kind: 'bad_request', message: error.message };
  if (error instanceof AgentError) return { kind: error.kind, message: error.message };
  // mcp_tool_not_approved comes from calling a tool, which no channel does (tools run in tasks).
  if (error instanceof McpHubError && error.kind !== 'mcp_tool_not_approved') {
    return { kind: error.kind, message: error.message };
  }
  // The server's failure, not ours: its message names the server and what stopped it (a
  // sandbox rule, its stderr's last lines), which is what the user needs to fix it.
  if (error instanceof McpConnectionError) {
    return { kind: 'mcp_connection_failed', message: error.message };
  }
  if (error instanceof ConfigError) {
    return {
      kind: 'invalid_config',
      message: `${error.message} — fix config.yaml (omnipalm config validate)`,
    };
  }
  return undefined;
}
