// The keys: where each secret comes from and how old it is — never its value. A new value is
// typed into a password field, sent once with secrets.store, and the field is cleared.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { MIN_SECRET_LENGTH, SECRET_KEY_NAMES, type ResponseOf } from '../../src-preload/contract';
import { useBridge } from '../bridge';
import { errorText } from './errorText';
import './views.css';

type Description = ResponseOf<'secrets.describe'>;
type SecretName = (typeof SECRET_KEY_NAMES)[number];
type SecretDescription = Description['secrets'][number];

const SOURCE_WORDS: Record<SecretDescription['source'], string> = {
  env: 'from the environment',
  keychain: 'from the OS keychain',
  command: 'from its secrets command',
  missing: 'not set',
};

export function ageText(ageDays: number | undefined): string {
  if (ageDays === undefined) return '';
  if (ageDays <= 0) return ' · set today';
  return ageDays === 1 ? ' · 1 day old' : ` · ${ageDays} days old`;
}

export function Keys() {
  const bridge = useBridge();
  const [description, setDescription] = useState<Description | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();

  const refresh = useCallback(() => {
    bridge
      .describe()
      .then((result) => {
        setDescription(result);
        setLoadError(undefined);
      })
      .catch((error: unknown) => setLoadError(errorText(error)));
  }, [bridge]);
  useEffect(refresh, [refresh]);

  return (
    <section className="view keys-view" aria-labelledby="keys-heading">
      <header className="view-header">
        <h2 id="keys-heading">Keys</h2>
      </header>
      {loadError && (
        <p className="inline-error" role="alert">
          Could not describe the keys: {loadError}
        </p>
      )}
      {description && !description.keychain.available && (
        <p className="warning-note" role="note">
          No OS keychain: {description.keychain.reason ?? 'keys cannot be stored here'}. Set keys
          through the environment (OMNIPALM_LLM_API_KEY, …) instead.
        </p>
      )}
      <ul className="key-list">
        {SECRET_KEY_NAMES.map((name) => (
          <KeyRow
            key={name}
            name={name}
            description={description?.secrets.find((item) => item.name === name)}
            canStore={description?.keychain.available ?? false}
            onChanged={refresh}
          />
        ))}
      </ul>
    </section>
  );
}

function KeyRow(props: {
  name: SecretName;
  description: SecretDescription | undefined;
  canStore: boolean;
  onChanged: () => void;
}) {
  const { name, description } = props;
  const bridge = useBridge();
  const [draft, setDraft] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | undefined>();
  const [confirming, setConfirming] = useState(false);
  const isSet = description !== undefined && description.source !== 'missing';
  const fieldId = `secret-${name}`;

  const store = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    if (draft.length < MIN_SECRET_LENGTH) {
      setMessage({
        error: true,
        text: `The key must be at least ${MIN_SECRET_LENGTH} characters.`,
      });
      return;
    }
    const value = draft;
    // Cleared before the answer: the value stays in the page for as short a time as possible.
    setDraft('');
    try {
      const result = await bridge.store({ name, value });
      setMessage(
        result.ok
          ? { error: false, text: `${name} stored in the keychain.` }
          : { error: true, text: result.error },
      );
    } catch (error) {
      setMessage({ error: true, text: errorText(error) });
    }
    props.onChanged();
  };

  const remove = async () => {
    setConfirming(false);
    try {
      const result = await bridge.remove({ name });
      setMessage(
        result.removed
          ? { error: false, text: `${name} deleted from the keychain.` }
          : { error: true, text: result.error ?? `The keychain held no ${name}.` },
      );
    } catch (error) {
      setMessage({ error: true, text: errorText(error) });
    }
    props.onChanged();
  };

  return (
    <li className="key-row" aria-labelledby={`${fieldId}-name`}>
      <div className="key-meta">
        <strong id={`${fieldId}-name`}>{name}</strong>
        <span className="muted">
          {description
            ? `${SOURCE_WORDS[description.source]}${ageText(description.ageDays)}`
            : 'checking…'}
        </span>
      </div>
      <form className="inline-form" onSubmit={(event) => void store(event)}>
        <label htmlFor={fieldId}>{isSet ? `Replace ${name}` : `Set ${name}`}</label>
        <input
          id={fieldId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={draft}
          disabled={!props.canStore}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" disabled={!draft || !props.canStore}>
          {isSet ? 'Replace' : 'Store'}
        </button>
      </form>
      {description?.inKeychain &&
        (confirming ? (
          <div className="confirm-delete" role="group" aria-label={`Confirm deleting ${name}`}>
            <span>
              Delete {name} from the keychain? Tasks that need it fail until it is set again.
            </span>
            <button type="button" className="danger" onClick={() => void remove()}>
              Yes, delete
            </button>
            <button type="button" onClick={() => setConfirming(false)} autoFocus>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${name}`}>
            Delete
          </button>
        ))}
      {message && (
        <p
          className={message.error ? 'inline-error' : 'muted'}
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}
    </li>
  );
}
