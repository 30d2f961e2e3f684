// The one typed contract between main and renderer (DESIGN.md §1). It imports zod only, so
// main, preload, renderer, the headless server and tests can all share it.
//
// Adding a channel is one entry in `contract` plus its handler in main: the preload method,
// the renderer's types and main's validation are all derived from this table.
import { z } from 'zod';

interface ChannelDefinition {
  request: z.ZodType;
  response: z.ZodType;
}

export const contract = {
  'app.getStatus': {
    request: z.strictObject({}),
    // Not strict: parsing strips fields a handler adds by mistake instead of passing them
    // on, so nothing leaves main that the contract does not name.
    response: z.object({
      version: z.string(),
      mode: z.enum(['electron', 'headless']),
      platform: z.string(),
    }),
  },
} as const satisfies Record<string, ChannelDefinition>;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export type RequestOf<C extends ChannelName> = z.infer<Contract[C]['request']>;
export type ResponseOf<C extends ChannelName> = z.infer<Contract[C]['response']>;

export const channelNames = Object.keys(contract) as ChannelName[];

/** The bridge method for a channel is its last dotted segment: 'app.getStatus' → 'getStatus'. */
export type MethodNameOf<C extends string> = C extends `${string}.${infer Rest}`
  ? MethodNameOf<Rest>
  : C;

export function methodNameOf<C extends ChannelName>(channel: C): MethodNameOf<C> {
  return channel.slice(channel.lastIndexOf('.') + 1) as MethodNameOf<C>;
}

type BridgeMethod<C extends ChannelName> =
  // Channels that take no arguments can be called as `getStatus()`.
  Record<never, never> extends RequestOf<C>
    ? (request?: RequestOf<C>) => Promise<ResponseOf<C>>
    : (request: RequestOf<C>) => Promise<ResponseOf<C>>;

/** What the renderer sees as `window.omnipalm`: one async method per channel. */
export type OmniPalmBridge = {
  readonly [C in ChannelName as MethodNameOf<C>]: BridgeMethod<C>;
};

/** What main (and later the headless server) must implement: one handler per channel. */
export type ContractHandlers = {
  readonly [C in ChannelName]: (request: RequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>>;
};

// Two channels with the same last segment ('config.get', 'secrets.get') would silently share
// one bridge method; this fails to compile and names the colliding channels instead.
type CollidingChannels = {
  [C in ChannelName]: MethodNameOf<C> extends MethodNameOf<Exclude<ChannelName, C>> ? C : never;
}[ChannelName];
type AssertNever<T extends never> = T;
export type BridgeMethodNamesAreUnique = AssertNever<CollidingChannels>;
