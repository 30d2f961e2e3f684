// One server's tools under review: each tool's status against what was approved, the user's
// rule and read-only mark (saved to config.yaml), what the server claims about it, its
// description as plain text with every hidden part shown and flagged, and for a changed tool
// what was approved beside what is listed now. "Approve N tools" pins exactly the listing shown.
//
// Everything a server sends is rendered as React text — never HTML or markdown — so a
// description cannot hide words from the user that the model will read, and cannot style or
// script the page.
import { useEffect, useState } from 'react';
import { useBridge } from '../bridge';
import { ARM_DELAY_MS } from '../components/ConfirmationModal';
import { errorText } from './errorText';
import {
  annotationClaims,
  approveLabel,
  approveProblem,
  lineDiff,
  readOnlyInConfig,
  ruleInConfig,
  schemaText,
  TOOL_RULES,
  TOOL_STATUS_TEXT,
  withReadOnlyTool,
  withToolRule,
  type McpReview,
  type McpToolReview,
  type McpToolRule,
} from './mcpModel';

type ServersMap = Record<string, Record<string, unknown>>;

type Load =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; review: McpReview; approved?: number };

export interface McpReviewPanelProps {
  name: string;
  /** integrations.mcp.servers as saved now (rules and read-only marks are read from it). */
  servers: ServersMap;
  saveServers: (servers: ServersMap) => Promise<string | undefined>;
  /** After a review or an approval: the servers list reads the server's new state. */
  onChanged: () => void;
  onClose: () => void;
  armDelayMs?: number;
}

export function McpReviewPanel(props: McpReviewPanelProps) {
  const { name, servers, saveServers } = props;
  const bridge = useBridge();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [saveError, setSaveError] = useState<string | undefined>();
  const [approveError, setApproveError] = useState<string | undefined>();
  const [approving, setApproving] = useState(false);

  useEffect(() => {
    let active = true;
    const { onChanged } = props;
    (async () => bridge.review({ name }))()
      .then((review) => active && setLoad({ state: 'ready', review }))
      .catch((error: unknown) => active && setLoad({ state: 'failed', message: errorText(error) }))
      // Started (or failed to): the list shows it running, or its last error.
      .finally(() => active && onChanged());
    return () => {
      active = false;
    };
    // Reviewed once per opening: a new onChanged function is no reason to start again.
  }, [bridge, name]);

  const save = async (next: ServersMap) => setSaveError(await saveServers(next));

  const approve = async (review: McpReview) => {
    setApproving(true);
    setApproveError(undefined);
    try {
      // The listing the user saw: the core refuses if the server lists anything else now.
      const approved = await bridge.approve({ name, listing: review.listing });
      setLoad({
        state: 'ready',
        review: approved,
        approved: approved.tools.filter((tool) => tool.status === 'approved').length,
      });
      props.onChanged();
    } catch (error) {
      setApproveError(errorText(error));
    } finally {
      setApproving(false);
    }
  };

  return (
    <section className="mcp-review" aria-label={`Tools of ${name}`}>
      <header className="view-header">
        <h3>Tools of {name}</h3>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </header>
      {load.state === 'loading' && (
        <p className="muted" role="status">
          Starting {name} and listing its tools…
        </p>
      )}
      {load.state === 'failed' && (
        <p className="inline-error" role="alert">
          {load.message}
        </p>
      )}
      {load.state === 'ready' && (
        <>
          {load.review.tools.length === 0 && <p className="muted">The server lists no tools.</p>}
          <ul className="mcp-tools" aria-label={`Tools listed by ${name}`}>
            {load.review.tools.map((tool) => (
              <ToolItem
                key={`${tool.status}:${tool.name}`}
                tool={tool}
                rule={ruleInConfig(servers, name, tool.name)}
                readOnly={readOnlyInConfig(servers, name, tool.name)}
                onRule={(rule) => void save(withToolRule(servers, name, tool.name, rule))}
                onReadOnly={(value) => void save(withReadOnlyTool(servers, name, tool.name, value))}
              />
            ))}
          </ul>
          {saveError && (
            <p className="inline-error" role="alert">
              {saveError}
            </p>
          )}
          <footer className="mcp-approve">
            {load.review.pending ? (
              <ApproveButton
                key={load.review.listing}
                review={load.review}
                busy={approving}
                armDelayMs={props.armDelayMs ?? ARM_DELAY_MS}
                onApprove={() => void approve(load.review)}
              />
            ) : (
              <p className="mcp-approved" role="status">
                {load.approved !== undefined
                  ? `Approved ${load.approved} tool${load.approved === 1 ? '' : 's'} of ${name}.`
                  : `Every tool of ${name} is approved as listed.`}
              </p>
            )}
            {approveError && (
              <p className="inline-error" role="alert">
                {approveError}
              </p>
            )}
          </footer>
        </>
      )}
    </section>
  );
}

/** Disabled for a moment after the review appears: a double click on Review cannot approve. */
function ApproveButton(props: {
  review: McpReview;
  busy: boolean;
  armDelayMs: number;
  onApprove: () => void;
}) {
  const [armed, setArmed] = useState(props.armDelayMs <= 0);
  useEffect(() => {
    if (armed) return;
    const timer = setTimeout(() => setArmed(true), props.armDelayMs);
    return () => clearTimeout(timer);
  }, [armed, props.armDelayMs]);
  const problem = approveProblem(props.review);
  return (
    <>
      <button
        type="button"
        className="button button-approve"
        disabled={!armed || props.busy || problem !== undefined}
        onClick={props.onApprove}
      >
        {approveLabel(props.review)}
      </button>
      {problem ? (
        <p className="warning-note">{problem}</p>
      ) : (
        <p className="muted">
          Approving pins each tool&apos;s name, description and input schema as shown: if the server
          changes any of them later, that tool stops until you review it again.
        </p>
      )}
    </>
  );
}

function ToolItem(props: {
  tool: McpToolReview;
  rule: McpToolRule;
  readOnly: boolean;
  onRule: (rule: McpToolRule) => void;
  onReadOnly: (readOnly: boolean) => void;
}) {
  const { tool } = props;
  const claims = annotationClaims(tool.annotations);
  const removed = tool.status === 'removed';
  return (
    <li className={`mcp-tool mcp-tool-${tool.status}`} aria-label={`Tool ${tool.name}`}>
      <div className="mcp-tool-head">
        <code className="mcp-tool-name">{tool.name}</code>
        <span className={`mcp-status mcp-status-${tool.status}`}>
          {TOOL_STATUS_TEXT[tool.status]}
        </span>
        {tool.modelName && <span className="muted">the model sees {tool.modelName}</span>}
        {tool.offerProblem && <span className="warning-note">{tool.offerProblem}</span>}
      </div>
      <div className="mcp-tool-controls">
        <label>
          <span>Rule</span>
          <select
            aria-label={`Rule for ${tool.name}`}
            value={props.rule}
            disabled={removed}
            onChange={(event) => props.onRule(event.target.value as McpToolRule)}
          >
            {TOOL_RULES.map((rule) => (
              <option key={rule.value} value={rule.value}>
                {rule.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            aria-label={`${tool.name} is read-only`}
            checked={props.readOnly}
            disabled={removed}
            onChange={(event) => props.onReadOnly(event.target.checked)}
          />
          Read-only (your judgement: with read-only mode on, only these run)
        </label>
      </div>
      {claims.length > 0 && (
        <p className="mcp-claims">
          The server says: {claims.join(', ')}{' '}
          <span className="muted">(its claim; never used to decide anything)</span>
        </p>
      )}
      {(tool.inputSchemaFlags?.length ?? 0) > 0 && (
        <ul className="mcp-flags" aria-label="Warnings about the input schema">
          {tool.inputSchemaFlags?.map((flag) => (
            <li key={flag} className="warning-note">
              ⚠ input schema: {flag}
            </li>
          ))}
        </ul>
      )}
      {tool.status === 'changed' ? (
        <ChangedTool tool={tool} />
      ) : (
        <>
          <Description
            text={tool.description}
            label={removed ? 'Approved description' : 'Description'}
          />
          <details>
            <summary>{removed ? 'Approved input schema' : 'Input schema'}</summary>
            <pre className="mcp-schema">
              {schemaText(removed ? tool.previousInputSchema : tool.inputSchema)}
            </pre>
          </details>
        </>
      )}
    </li>
  );
}

function Description({ text, label }: { text: McpToolReview['description']; label: string }) {
  return (
    <div className="mcp-description-block">
      <span className="muted">{label}</span>
      <p className="mcp-description">{text.text || '(no description)'}</p>
      {text.flags.length > 0 && (
        <ul className="mcp-flags" aria-label="Warnings about the description">
          {text.flags.map((flag) => (
            <li key={flag} className="warning-note">
              ⚠ {flag}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** What was approved and what the server lists now, line by line. */
function ChangedTool({ tool }: { tool: McpToolReview }) {
  const before = tool.previousDescription ?? { text: '', flags: [] };
  const descriptionChanged = before.text !== tool.description.text;
  const schemaBefore = schemaText(tool.previousInputSchema);
  const schemaAfter = schemaText(tool.inputSchema);
  return (
    <div className="mcp-change">
      {descriptionChanged ? (
        <>
          <Description text={before} label="Approved description" />
          <Description text={tool.description} label="Description now" />
        </>
      ) : (
        <Description text={tool.description} label="Description (unchanged)" />
      )}
      <div>
        <span className="muted">
          Input schema{schemaBefore === schemaAfter ? ' (unchanged)' : ': approved → now'}
        </span>
        <pre className="mcp-schema mcp-diff" aria-label={`Input schema change of ${tool.name}`}>
          {lineDiff(schemaBefore, schemaAfter).map((line, index) => (
            <span key={index} className={`mcp-diff-${line.kind}`}>
              {line.kind === 'removed' ? '- ' : line.kind === 'added' ? '+ ' : '  '}
              {line.text}
              {'\n'}
            </span>
          ))}
        </pre>
      </div>
    </div>
  );
}
