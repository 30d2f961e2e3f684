// The permissions editor's MCP section: the configured servers with their state and approval,
// a review of each server's tools (McpReviewPanel), and a form that adds a server. Servers,
// rules and read-only marks live in config.yaml (integrations.mcp.servers, set whole through
// the same config.set as every other setting); approvals are pins the core keeps, made with
// mcp.approve. A server's tools are third-party text: everything here renders as text.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useBridge } from '../bridge';
import { errorText } from './errorText';
import { McpReviewPanel } from './McpReviewPanel';
import {
  approvalText,
  sandboxText,
  serversMap,
  stateText,
  withNewServer,
  withServerEnabled,
  type McpServerView,
  type NewServerForm,
} from './mcpModel';

type ServersMap = Record<string, Record<string, unknown>>;

export interface McpServersProps {
  /** integrations.mcp.servers as config.get read it. */
  configured: unknown;
  /** integrations.mcp.enabled. */
  mcpEnabled: boolean;
  /** Saves the whole servers map; resolves with main's error, or undefined once saved. */
  saveServers: (servers: ServersMap) => Promise<string | undefined>;
  /** How long Approve stays disabled after a review appears (see ConfirmationModal). */
  armDelayMs?: number;
}

type Load =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; servers: McpServerView[] };

export function McpServers({ configured, mcpEnabled, saveServers, armDelayMs }: McpServersProps) {
  const bridge = useBridge();
  const servers = serversMap(configured);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [open, setOpen] = useState<string | undefined>();
  const [rowError, setRowError] = useState<{ name: string; message: string } | undefined>();
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((value) => value + 1), []);

  // Listed again whenever the saved servers change: their state and approval are the core's.
  const configuredJson = JSON.stringify(configured ?? null);
  useEffect(() => {
    let active = true;
    (async () => bridge.servers())()
      .then((result) => {
        if (active) setLoad({ state: 'ready', servers: result.servers ?? [] });
      })
      .catch((error: unknown) => {
        if (active) setLoad({ state: 'failed', message: errorText(error) });
      });
    return () => {
      active = false;
    };
  }, [bridge, configuredJson, mcpEnabled, generation]);

  const toggle = async (name: string, enabled: boolean) => {
    const problem = await saveServers(withServerEnabled(servers, name, enabled));
    setRowError(problem === undefined ? undefined : { name, message: problem });
  };

  return (
    <fieldset className="mcp-section">
      <legend>MCP servers</legend>
      <p className="muted">
        Tool servers of third parties. Each command server runs in the OS sandbox, reaching only the
        hosts you list; every call goes through the policy (its rule below, the rate limit,
        read-only, confirmations), and a tool is usable only once you approve it exactly as the
        server lists it.
      </p>
      {!mcpEnabled && (
        <p className="warning-note" role="status">
          MCP servers are off: turn on MCP servers under Capabilities to use them.
        </p>
      )}
      {load.state === 'loading' && <p className="muted">Listing MCP servers…</p>}
      {load.state === 'failed' && (
        <p className="inline-error">Could not list the MCP servers: {load.message}</p>
      )}
      {load.state === 'ready' && load.servers.length === 0 && (
        <p className="muted">No MCP server is configured yet: add one below.</p>
      )}
      {load.state === 'ready' && load.servers.length > 0 && (
        <table className="capability-table mcp-servers" aria-label="MCP servers">
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Enabled</th>
              <th scope="col">Runs</th>
              <th scope="col">State</th>
              <th scope="col">Tools</th>
              <th scope="col">Sandbox</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {load.servers.map((server) => {
              const approval = approvalText(server);
              const sandbox = sandboxText(server);
              const enabledInConfig = servers[server.name]?.['enabled'] !== false;
              return (
                <tr key={server.name}>
                  <th scope="row">{server.name}</th>
                  <td>
                    <input
                      type="checkbox"
                      role="switch"
                      aria-label={`${server.name} enabled`}
                      checked={enabledInConfig}
                      onChange={() => void toggle(server.name, !enabledInConfig)}
                    />
                    {rowError?.name === server.name && (
                      <span className="inline-error" role="alert">
                        {rowError.message}
                      </span>
                    )}
                  </td>
                  <td>
                    <span className="muted">{server.kind === 'stdio' ? 'command' : 'URL'}</span>{' '}
                    <code className="mcp-target">{server.target}</code>
                    {server.hosts.length > 0 && (
                      <span className="muted"> · hosts: {server.hosts.join(', ')}</span>
                    )}
                  </td>
                  <td>
                    {stateText(server)}
                    {server.lastError && (
                      <span className="inline-error mcp-last-error">{server.lastError}</span>
                    )}
                  </td>
                  <td className={approval.attention ? 'mcp-attention' : undefined}>
                    {approval.text}
                    {server.approval === 'changed' && server.changes && (
                      <span className="mcp-changes">{server.changes}</span>
                    )}
                  </td>
                  <td className={sandbox.warning ? 'mcp-attention' : undefined}>{sandbox.text}</td>
                  <td>
                    <button
                      type="button"
                      aria-expanded={open === server.name}
                      aria-label={`Review tools of ${server.name}`}
                      onClick={() => setOpen(open === server.name ? undefined : server.name)}
                    >
                      Review tools
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {open !== undefined && (
        <McpReviewPanel
          key={open}
          name={open}
          servers={servers}
          saveServers={saveServers}
          onChanged={refresh}
          onClose={() => setOpen(undefined)}
          {...(armDelayMs === undefined ? {} : { armDelayMs })}
        />
      )}
      <AddServerForm servers={servers} saveServers={saveServers} />
    </fieldset>
  );
}

const EMPTY_FORM: NewServerForm = { name: '', kind: 'stdio', target: '', hosts: '' };

function AddServerForm({
  servers,
  saveServers,
}: {
  servers: ServersMap;
  saveServers: McpServersProps['saveServers'];
}) {
  const [form, setForm] = useState<NewServerForm>(EMPTY_FORM);
  const [problem, setProblem] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const set = (change: Partial<NewServerForm>) =>
    setForm((previous) => ({ ...previous, ...change }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const next = withNewServer(servers, form);
    if ('problem' in next) {
      setProblem(next.problem);
      return;
    }
    setSaving(true);
    const refused = await saveServers(next.servers);
    setSaving(false);
    setProblem(refused);
    if (refused === undefined) setForm(EMPTY_FORM);
  };
  return (
    <form
      className="mcp-add"
      aria-label="Add an MCP server"
      onSubmit={(event) => void submit(event)}
    >
      <h3>Add a server</h3>
      <label>
        <span>Name</span>
        <input
          value={form.name}
          placeholder="github"
          autoComplete="off"
          onChange={(event) => set({ name: event.target.value })}
        />
      </label>
      <label>
        <span>Runs as</span>
        <select
          value={form.kind}
          onChange={(event) => set({ kind: event.target.value === 'http' ? 'http' : 'stdio' })}
        >
          <option value="stdio">a command on this computer (stdio, sandboxed)</option>
          <option value="http">a URL (Streamable HTTP)</option>
        </select>
      </label>
      <label>
        <span>{form.kind === 'stdio' ? 'Command line' : 'URL'}</span>
        <input
          value={form.target}
          className="mcp-target-input"
          autoComplete="off"
          spellCheck={false}
          placeholder={
            form.kind === 'stdio'
              ? 'npx -y @modelcontextprotocol/server-memory'
              : 'https://mcp.example.com/mcp'
          }
          onChange={(event) => set({ target: event.target.value })}
        />
      </label>
      <label>
        <span>Hosts it may reach</span>
        <input
          value={form.hosts}
          autoComplete="off"
          spellCheck={false}
          placeholder="api.github.com (none: no network)"
          onChange={(event) => set({ hosts: event.target.value })}
        />
      </label>
      <button type="submit" disabled={saving}>
        Add server
      </button>
      {problem && (
        <span className="inline-error" role="alert">
          {problem}
        </span>
      )}
      <p className="muted">
        Secrets it needs (env, headers) are set by name in config.yaml, values with omnipalm keys
        set mcp_…; a new server&apos;s tools are usable once you review and approve them.
      </p>
    </form>
  );
}
