// One call of the contract, for every transport (Electron IPC, the headless HTTP server):
// the request is parsed before a handler sees it and the response before it leaves main.
// Transports add only their own checks (the sender's frame, the bearer token).
import { z } from 'zod';
import { contract, type ChannelName, type ContractHandlers } from '../../src-preload/contract.js';

/** The caller sent something the contract refuses (unknown channel, wrong payload): a 400. */
export class ContractRequestError extends Error {
  constructor(
    readonly channel: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContractRequestError';
  }
}

/** True for a channel the contract names (own keys only: never `__proto__` or `toString`). */
export function isChannelName(channel: string): channel is ChannelName {
  return Object.hasOwn(contract, channel);
}

/**
 * Parses the request, runs the channel's handler, parses its response. Throws
 * ContractRequestError for a bad call; a handler's own error passes through unchanged.
 */
export async function dispatchCall(
  handlers: ContractHandlers,
  channel: string,
  payload: unknown,
): Promise<unknown> {
  if (!isChannelName(channel)) {
    // The name is echoed only as JSON, so a crafted one cannot forge lines in a log.
    throw new ContractRequestError(channel, `unknown channel ${JSON.stringify(channel)}`);
  }
  // Stops a compromised or buggy page from handing a handler data of a shape it never
  // expected (type confusion, extra fields such as `__proto__` or injected options).
  const request = contract[channel].request.safeParse(payload);
  if (!request.success) {
    throw new ContractRequestError(
      channel,
      `${channel}: request refused: ${z.prettifyError(request.error)}`,
    );
  }

  // TypeScript cannot correlate `channel` with its handler's parameter type; the parse
  // above guarantees the request matches that channel's schema.
  const handler = handlers[channel] as (request: unknown) => unknown;
  const output = await handler(request.data);

  // Stops main from leaking fields the contract does not name (secrets, internal state)
  // and from sending the renderer a shape its types do not promise. The error names the
  // channel only: echoing the output could itself leak what we are keeping in.
  const response = contract[channel].response.safeParse(output);
  if (!response.success) {
    throw new Error(`${channel}: main produced a response that breaks the contract`);
  }
  return response.data;
}
