// Runs sandboxed, before the page, with access to ipcRenderer. It exposes one named method
// per contract channel and one subscription method per contract event, and nothing else:
// never ipcRenderer itself, and never a generic send/on/invoke(channel), which would let any
// script in the page pick its own channel (Electron security checklist, "Do not expose
// Electron APIs to untrusted web content").
// First: zod must be told not to probe for eval before the contract builds its schemas.
import './zodConfig';
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  channelNames,
  eventNames,
  events,
  methodNameOf,
  subscriptionNameOf,
  type OmniPalmBridge,
} from './contract';

/** The part of ipcRenderer the bridge uses (a stand-in in tests). */
export type BridgeIpc = Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function buildBridge(ipc: BridgeIpc): OmniPalmBridge {
  const bridge: Record<string, (argument?: unknown) => unknown> = {};
  // The compile-time check (BridgeMembersAreUnique) already refuses this; the preload also
  // refuses at run time, so one method can never silently serve two entries.
  const claim = (member: string, entry: string) => {
    if (member in bridge) {
      throw new Error(
        `src-preload/contract.ts: ${entry} maps to the bridge method ${member}, which another entry already has`,
      );
    }
  };
  for (const channel of channelNames) {
    const method = methodNameOf(channel);
    claim(method, channel);
    // The channel is fixed here, in the preload; the page only chooses the payload, which
    // main validates against the contract before any handler sees it.
    bridge[method] = (request = {}) => ipc.invoke(channel, request);
  }
  for (const event of eventNames) {
    const method = subscriptionNameOf(event);
    claim(method, event);
    bridge[method] = (listener) => {
      if (typeof listener !== 'function') {
        throw new TypeError(`${method}: expected a listener function`);
      }
      // The page gets the parsed payload only: never the IpcRendererEvent, whose `sender` is
      // ipcRenderer itself. Parsing also drops what the contract does not name, and a payload
      // that breaks the contract is not delivered at all.
      const wrapper = (_event: IpcRendererEvent, payload: unknown) => {
        const parsed = events[event].safeParse(payload);
        if (parsed.success) (listener as (payload: unknown) => void)(parsed.data);
      };
      ipc.on(event, wrapper);
      return () => void ipc.removeListener(event, wrapper);
    };
  }
  return Object.freeze(bridge) as unknown as OmniPalmBridge;
}

contextBridge.exposeInMainWorld('omnipalm', buildBridge(ipcRenderer));
