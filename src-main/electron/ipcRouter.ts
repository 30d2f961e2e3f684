// The only place main talks to the renderer. Every channel of the contract gets one
// ipcMain.handle; nothing else is registered, so unknown channels are refused by Electron.
// Events go the other way through emit(): checked against the contract, sent only to our page.
//
// It imports nothing from 'electron' at run time: main.ts hands it ipcMain and the list of
// webContents, so the checks below run in plain Node under test against stand-ins.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  channelNames,
  events,
  type ChannelName,
  type ContractHandlers,
  type EventName,
  type EventPayloadOf,
} from '../../src-preload/contract';
import { dispatchCall } from '../server/dispatch';

/** What the router reads of a request: the frame that sent it (null once it is gone). */
export interface InvokeSender {
  readonly senderFrame: {
    readonly url: string;
    /** Null for the top frame of a page; set for an <iframe>. */
    readonly parent: object | null;
  } | null;
}

/** The part of ipcMain the router uses. main.ts passes the real ipcMain; tests a stand-in. */
export interface InvokeHandlerRegistry {
  handle(
    channel: string,
    listener: (event: InvokeSender, payload: unknown) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

/** The part of a webContents emit() uses. */
export type EventReceiver = Pick<WebContents, 'isDestroyed' | 'getURL' | 'send'>;

export interface IpcRouterOptions {
  handlers: ContractHandlers;
  /** True when a URL is the renderer page we loaded ourselves. */
  isOwnRendererUrl: (url: string) => boolean;
  /** Electron's ipcMain. */
  ipcMain: InvokeHandlerRegistry;
  /** Every live webContents: `() => webContents.getAllWebContents()`. */
  allWebContents: () => readonly EventReceiver[];
}

export class IpcRouter {
  constructor(private readonly options: IpcRouterOptions) {}

  register(): void {
    for (const channel of channelNames) {
      this.options.ipcMain.handle(channel, (event, payload) =>
        this.dispatch(channel, event, payload),
      );
    }
  }

  unregister(): void {
    for (const channel of channelNames) this.options.ipcMain.removeHandler(channel);
  }

  /** Pushes a contract event to every window showing the OmniPalm renderer. */
  emit<E extends EventName>(event: E, payload: EventPayloadOf<E>): void {
    // As for responses: nothing leaves main that the contract does not name, and a payload
    // of the wrong shape is a bug in main that the renderer must not have to survive.
    const parsed = events[event].safeParse(payload);
    if (!parsed.success)
      throw new Error(`${event}: main produced an event that breaks the contract`);
    for (const contents of this.options.allWebContents()) {
      // Only our own page: a window that ended up on a foreign URL, a devtools view or a
      // <webview> must not see the agent's terminal. send() reaches the main frame only.
      if (contents.isDestroyed() || !this.options.isOwnRendererUrl(contents.getURL())) continue;
      contents.send(event, parsed.data);
    }
  }

  private async dispatch(
    channel: ChannelName,
    event: InvokeSender,
    payload: unknown,
  ): Promise<unknown> {
    this.assertTrustedSender(channel, event);
    // The same parse–call–parse as the headless server: one place decides what crosses.
    return dispatchCall(this.options.handlers, channel, payload);
  }

  private assertTrustedSender(channel: ChannelName, event: InvokeSender): void {
    const frame = event.senderFrame;
    // A frame destroyed or navigated away before we handle its message has no origin we can
    // vouch for: a message racing a navigation to a hostile page must not be answered.
    if (!frame) throw refused(channel, 'its frame is gone');
    // Sub-frames (an <iframe> of an email body, a web page, an ad) must never reach main,
    // even when same-origin: their content is untrusted by design.
    if (frame.parent !== null) throw refused(channel, 'it came from a sub-frame');
    // Only our own page: if a window ever ends up on a foreign URL despite the navigation
    // guards, that page must not gain the agent's powers.
    if (!this.options.isOwnRendererUrl(frame.url)) {
      throw refused(channel, 'it came from a page that is not the OmniPalm renderer');
    }
  }
}

function refused(channel: ChannelName, reason: string): Error {
  return new Error(`${channel}: request refused because ${reason}`);
}

// Keeps the narrow shapes above honest: the real Electron objects must still fit them.
type Fits<Actual extends Wanted, Wanted> = [Actual, Wanted];
type _RealIpcMainFits = Fits<IpcMain, InvokeHandlerRegistry>;
type _RealInvokeEventFits = Fits<IpcMainInvokeEvent, InvokeSender>;
