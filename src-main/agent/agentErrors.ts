// Errors for a request the agent cannot serve because of the user's setup or the agent's
// state — never a bug. Each carries a kind, so a transport maps kinds to its own answer (the
// headless server's status table, server/apiErrors.ts) without ever parsing a message, and
// the message names the problem and its fix, since the user reads it as it is.
export type AgentErrorKind =
  /** No llm_api_key in the environment or the keychain. */
  | 'missing_model_key'
  /** llm.base_url / OMNIPALM_LLM_BASE_URL missing where needed, or not an http(s) URL. */
  | 'model_endpoint_invalid'
  /** Nothing answers at the model's address (refused, no such host, no route). */
  | 'model_unreachable'
  /** A key could not be read (a locked keychain, a failing secret command). */
  | 'secret_unavailable'
  /** config.yaml does not validate. */
  | 'invalid_config'
  /** The task's folder is outside security.allowed_paths. */
  | 'folder_not_allowed'
  /** The task's folder is not an existing folder. */
  | 'not_a_folder'
  /** None of security.allowed_paths exists, so a task has nowhere to run. */
  | 'no_allowed_folder'
  /** The user paused the agent (tray menu). */
  | 'agent_paused'
  /** The agent is shutting down. */
  | 'shutting_down'
  /** The most tasks at once are running already. */
  | 'too_many_tasks'
  /** A terminal session that is not open (its task ended, or a made-up id). */
  | 'terminal_not_found'
  /** A session id that is not in this OMNIPALM_HOME (deleted, made up, another home's). */
  | 'session_not_found'
  /** The session's previous turn is still running: one turn at a time per session. */
  | 'session_busy'
  /** A session change the store refuses (an empty or over-long title, control characters). */
  | 'invalid_session_request';

export class AgentError extends Error {
  constructor(
    readonly kind: AgentErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AgentError';
  }
}

/** A problem the user fixes before a task can start (no key, no allowed folder…). */
export class TaskSetupError extends AgentError {
  constructor(kind: AgentErrorKind, message: string, options?: ErrorOptions) {
    super(kind, message, options);
    this.name = 'TaskSetupError';
  }
}
