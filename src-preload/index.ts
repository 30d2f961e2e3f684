// Runs sandboxed, before the page, with access to ipcRenderer. It exposes one named method
// per contract channel and nothing else: never ipcRenderer itself, and never a generic
// send/on/invoke(channel), which would let any script in the page pick its own channel
// (Electron security checklist, "Do not expose Electron APIs to untrusted web content").
import { contextBridge, ipcRenderer } from 'electron';
import { channelNames, methodNameOf, type OmniPalmBridge } from './contract';

function buildBridge(): OmniPalmBridge {
  const bridge: Record<string, (request?: unknown) => Promise<unknown>> = {};
  for (const channel of channelNames) {
    const method = methodNameOf(channel);
    if (method in bridge) {
      throw new Error(`src-preload/contract.ts: two channels map to the bridge method ${method}`);
    }
    // The channel is fixed here, in the preload; the page only chooses the payload, which
    // main validates against the contract before any handler sees it.
    bridge[method] = (request = {}) => ipcRenderer.invoke(channel, request);
  }
  return Object.freeze(bridge) as unknown as OmniPalmBridge;
}

contextBridge.exposeInMainWorld('omnipalm', buildBridge());
