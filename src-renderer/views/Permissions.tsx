// The permissions editor: capabilities, paths (allowed, blocked, trusted), confirmations,
// read-only, limits, MCP servers (McpServers.tsx). Every change is one config.set; main validates it and the answer's error
// is shown next to the control.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { RequestOf } from '../../src-preload/contract';
import { useBridge } from '../bridge';
import {
  CAPABILITIES,
  CONFIRMABLE_OPERATIONS,
  isInside,
  isWholeTree,
  NUMBER_SETTINGS,
  pathProblem,
  valueAt,
  withValueAt,
} from './permissionsModel';
import { errorText } from './errorText';
import { McpServers } from './McpServers';
import { MCP_ENABLED_KEY, MCP_SERVERS_KEY } from './mcpModel';
import './views.css';

type JsonValue = RequestOf<'config.set'>['value'];

type Load =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; config: Record<string, unknown>; file: string; restartNeeded: boolean };

export function Permissions() {
  const bridge = useBridge();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    let active = true;
    bridge
      .get()
      .then(
        (result) =>
          active &&
          setLoad({
            state: 'ready',
            config: result.config,
            file: result.file,
            restartNeeded: result.restartNeeded,
          }),
      )
      .catch((error: unknown) => active && setLoad({ state: 'failed', message: errorText(error) }));
    return () => {
      active = false;
    };
  }, [bridge]);

  if (load.state === 'loading') {
    return (
      <PermissionsFrame>
        <p className="muted">Loading settings…</p>
      </PermissionsFrame>
    );
  }
  if (load.state === 'failed') {
    return (
      <PermissionsFrame>
        <p className="inline-error" role="alert">
          Could not read the settings: {load.message}
        </p>
      </PermissionsFrame>
    );
  }

  const config = load.config;
  /** Saves one key; resolves with main's error (also shown by errorFor), or undefined. */
  const save = async (key: string, value: JsonValue): Promise<string | undefined> => {
    try {
      const result = await bridge.set({ key, value });
      if (result.ok) {
        // The saved value as main reads it back, not what was sent.
        setLoad((previous) =>
          previous.state === 'ready'
            ? {
                ...previous,
                config: withValueAt(previous.config, key, result.value),
                restartNeeded: previous.restartNeeded || result.restartNeeded,
              }
            : previous,
        );
        setErrors(({ [key]: _dropped, ...rest }) => rest);
        return undefined;
      }
      setErrors((previous) => ({ ...previous, [key]: result.error }));
      return result.error;
    } catch (error) {
      const message = errorText(error);
      setErrors((previous) => ({ ...previous, [key]: message }));
      return message;
    }
  };
  const errorFor = (key: string) =>
    errors[key] ? (
      <span className="inline-error" role="alert" id={errorId(key)}>
        {errors[key]}
      </span>
    ) : null;

  const allowed = stringList(valueAt(config, 'security.allowed_paths'));
  const blocked = stringList(valueAt(config, 'security.blocked_paths'));
  const trusted = stringList(valueAt(config, 'security.trusted_paths'));
  const guardOff = valueAt(config, 'security.untrusted_content_guard') === false;
  const confirmed = stringList(valueAt(config, 'security.confirm_operations'));

  return (
    <PermissionsFrame>
      <p className="muted">
        Saved to <code>{load.file}</code>; main validates every change. Changes apply to the next
        task — a task already running keeps the rules it started with.
      </p>
      {load.restartNeeded && (
        <p className="warning-note" role="status">
          Some saved settings (audit logging, secret commands or the hotkey) apply only when
          OmniPalm restarts.
        </p>
      )}
      <fieldset>
        <legend>Capabilities</legend>
        <table className="capability-table">
          <thead>
            <tr>
              <th scope="col">Capability</th>
              <th scope="col">Enabled</th>
              <th scope="col">Risk</th>
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {CAPABILITIES.map((capability) => {
              const enabled = valueAt(config, capability.key) === true;
              return (
                <tr key={capability.key}>
                  <th scope="row">{capability.name}</th>
                  <td>
                    <input
                      type="checkbox"
                      role="switch"
                      aria-label={`${capability.name} enabled`}
                      aria-describedby={
                        errors[capability.key] ? errorId(capability.key) : undefined
                      }
                      checked={enabled}
                      onChange={() => void save(capability.key, !enabled)}
                    />
                    {errorFor(capability.key)}
                  </td>
                  <td>
                    <span className={`risk risk-${capability.risk}`}>{capability.risk}</span>
                  </td>
                  <td>{capability.notes}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </fieldset>

      <PathList
        title="Allowed paths"
        settingKey="security.allowed_paths"
        paths={allowed}
        note={(path) => {
          const within = blocked.find((folder) => isInside(path, folder));
          return within ? `blocked: inside blocked ${within}` : undefined;
        }}
        onChange={(next) => save('security.allowed_paths', next)}
        error={errorFor('security.allowed_paths')}
      />
      <PathList
        title="Blocked paths"
        settingKey="security.blocked_paths"
        paths={blocked}
        note={(path) => {
          const within = allowed.find((folder) => isInside(path, folder));
          return within ? `inside allowed ${within}: blocked beats allowed` : undefined;
        }}
        onChange={(next) => save('security.blocked_paths', next)}
        error={errorFor('security.blocked_paths')}
      />
      <PathList
        title="Trusted paths"
        settingKey="security.trusted_paths"
        paths={trusted}
        description={
          <>
            Files here are your own: reading them does not mark a task as having read untrusted
            content. Everything else the agent reads — documents, web pages, mail, command output —
            is untrusted, and once a task has read any, every action that can send data out asks you
            first.
            {guardOff &&
              ' That check is off now (security.untrusted_content_guard: false in config.yaml).'}
          </>
        }
        note={(path) => {
          const within = blocked.find((folder) => isInside(path, folder));
          if (within) return `blocked: inside blocked ${within}`;
          // Trusting a whole home or disk makes downloads and saved mail "your own" too.
          return isWholeTree(path) ? 'trusts every file under it, downloads included' : undefined;
        }}
        onChange={(next) => save('security.trusted_paths', next)}
        error={errorFor('security.trusted_paths')}
      />

      <fieldset>
        <legend>Ask before</legend>
        <div className="checkbox-grid">
          {CONFIRMABLE_OPERATIONS.map((operation) => (
            <label key={operation}>
              <input
                type="checkbox"
                checked={confirmed.includes(operation)}
                onChange={(event) =>
                  void save(
                    'security.confirm_operations',
                    event.target.checked
                      ? [...confirmed, operation]
                      : confirmed.filter((name) => name !== operation),
                  )
                }
              />
              {operation.replaceAll('_', ' ')}
            </label>
          ))}
        </div>
        {errorFor('security.confirm_operations')}
      </fieldset>

      <fieldset>
        <legend>Mode</legend>
        <label>
          <input
            type="checkbox"
            role="switch"
            checked={valueAt(config, 'security.read_only') === true}
            onChange={(event) => void save('security.read_only', event.target.checked)}
          />
          Read-only: deny every write, delete, deploy, email and non-GET request
        </label>
        {errorFor('security.read_only')}
      </fieldset>

      <fieldset>
        <legend>Rate limits and stop conditions</legend>
        <div className="number-grid">
          {NUMBER_SETTINGS.map((setting) => (
            <NumberSetting
              key={setting.key}
              label={setting.label}
              unit={setting.unit}
              value={valueAt(config, setting.key)}
              onCommit={(value) => save(setting.key, value)}
              error={errorFor(setting.key)}
            />
          ))}
        </div>
      </fieldset>

      <McpServers
        configured={valueAt(config, MCP_SERVERS_KEY)}
        mcpEnabled={valueAt(config, MCP_ENABLED_KEY) === true}
        saveServers={(servers) => save(MCP_SERVERS_KEY, servers as JsonValue)}
      />
    </PermissionsFrame>
  );
}

function PermissionsFrame({ children }: { children: ReactNode }) {
  return (
    <section className="view permissions-view" aria-labelledby="permissions-heading">
      <header className="view-header">
        <h2 id="permissions-heading">Permissions</h2>
      </header>
      {children}
    </section>
  );
}

function errorId(key: string): string {
  return `error-${key.replaceAll('.', '-')}`;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

function PathList(props: {
  title: string;
  settingKey: string;
  paths: string[];
  /** What the list means, read with its field by a screen reader. */
  description?: ReactNode;
  note: (path: string) => string | undefined;
  onChange: (next: string[]) => Promise<unknown>;
  error: ReactNode;
}) {
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const inputId = `add-${props.settingKey.replaceAll('.', '-')}`;
  const descriptionId = `about-${props.settingKey.replaceAll('.', '-')}`;
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const path = draft.trim();
    const why = pathProblem(path, props.paths);
    setProblem(why);
    if (why) return;
    await props.onChange([...props.paths, path]);
    setDraft('');
  };
  return (
    <fieldset>
      <legend>{props.title}</legend>
      {props.description && (
        <p className="muted path-list-about" id={descriptionId}>
          {props.description}
        </p>
      )}
      <ul className="path-list" aria-label={props.title}>
        {props.paths.map((path) => {
          const note = props.note(path);
          return (
            <li key={path}>
              <code>{path}</code>
              {note && <span className="path-note">{note}</span>}
              <button
                type="button"
                aria-label={`Remove ${path} from ${props.title.toLowerCase()}`}
                onClick={() => void props.onChange(props.paths.filter((item) => item !== path))}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      <form className="inline-form" onSubmit={(event) => void add(event)}>
        <label htmlFor={inputId}>Add to {props.title.toLowerCase()}</label>
        <input
          id={inputId}
          value={draft}
          placeholder="~/projects/site"
          aria-describedby={props.description ? descriptionId : undefined}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit">Add</button>
      </form>
      {problem && (
        <span className="inline-error" role="alert">
          {problem}
        </span>
      )}
      {props.error}
    </fieldset>
  );
}

function NumberSetting(props: {
  label: string;
  unit: string;
  value: unknown;
  onCommit: (value: number) => Promise<unknown>;
  error: ReactNode;
}) {
  const shown = typeof props.value === 'number' ? String(props.value) : '';
  const [draft, setDraft] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const commit = () => {
    if (draft === undefined || draft === shown) return;
    const value = Number(draft);
    if (draft.trim() === '' || !Number.isFinite(value) || value < 0) {
      setProblem(`${props.label}: expected a number of 0 or more, got "${draft}"`);
      return;
    }
    setProblem(undefined);
    void props.onCommit(value).then(() => setDraft(undefined));
  };
  return (
    <label className="number-setting">
      <span>{props.label}</span>
      <input
        type="number"
        min={0}
        aria-label={`${props.label}, ${props.unit}`}
        value={draft ?? shown}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
        }}
      />
      <span className="unit">{props.unit}</span>
      {problem && (
        <span className="inline-error" role="alert">
          {problem}
        </span>
      )}
      {props.error}
    </label>
  );
}
