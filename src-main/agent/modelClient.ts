// The one way OmniPalm talks to a model: the real Anthropic SDK, with every request body
// passed through the Redactor on its way out. Whatever reached a prompt — a file that held
// a key, a tool result with a token, an error message — leaves this process redacted.
// (The API key itself travels in the Authorization header, which is not touched.)
import Anthropic from '@anthropic-ai/sdk';

export interface BodyRedactor {
  redact(text: string): string;
  redactValue<T>(value: T): T;
}

/**
 * Redacts a JSON request body value by value (keeps it valid JSON); other text as text.
 * Fast path: the redactor's rules and secret forms are made to match inside JSON text (escaped
 * forms included), so one scan of the whole body finds whether anything needs redacting — the
 * usual case, nothing, costs a scan instead of parse + walk + stringify of a conversation that
 * grows with every step. Only a body with a finding is redacted value by value.
 */
export function redactRequestBody(body: string, redactor: BodyRedactor): string {
  if (redactor.redact(body) === body) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return redactor.redact(body);
  }
  return JSON.stringify(redactor.redactValue(parsed));
}

export interface ModelClientOptions {
  apiKey: string;
  baseURL?: string;
  redactor: BodyRedactor;
  maxRetries?: number;
  timeoutMs?: number;
}

export function createModelClient(options: ModelClientOptions): Anthropic {
  const redactingFetch: typeof fetch = (input, init) => {
    if (init && typeof init.body === 'string') {
      return fetch(input, { ...init, body: redactRequestBody(init.body, options.redactor) });
    }
    return fetch(input, init);
  };
  return new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    fetch: redactingFetch,
    maxRetries: options.maxRetries ?? 2,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
}
