// Whether anything answers at the model's address, asked before a task starts: without it a
// task against a stopped Ollama or a mistyped llm.base_url starts, retries with backoff and
// only then ends in an error, while the call that started it said all was well. One TCP
// connect, bounded in time: only a definite answer (refused, no such host, no route) counts
// as unreachable; a slow network lets the task start and find out with its retries.
import net from 'node:net';
import { TaskSetupError } from './agentErrors.js';

export const MODEL_PROBE_TIMEOUT_MS = 2000;

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

/** Resolves when the address answers (or the probe is inconclusive); else TaskSetupError. */
export function probeModelEndpoint(
  baseURL: string,
  timeoutMs: number = MODEL_PROBE_TIMEOUT_MS,
): Promise<void> {
  const url = new URL(baseURL);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  // [::1] in a URL is ::1 to connect().
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (error?: Error) => {
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done());
    socket.once('connect', () => done());
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (!UNREACHABLE.has(error.code ?? '')) return done();
      done(
        new TaskSetupError(
          'model_unreachable',
          `the model API at ${url.origin} is unreachable (${error.code}): start the model server, or point OmniPalm at a running one with: omnipalm config set llm.base_url <url> (or OMNIPALM_LLM_BASE_URL)`,
          { cause: error },
        ),
      );
    });
  });
}
