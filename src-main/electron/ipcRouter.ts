// The only place main talks to the renderer. Every channel of the contract gets one
// ipcMain.handle; nothing else is registered, so unknown channels are refused by Electron.
// Events go the other way through emit(): checked against the contract, sent only to our page.
import { ipcMain, webContents, type IpcMainInvokeEvent } from 'electron';
import {
  channelNames,
  events,
  type ChannelName,
  type ContractHandlers,
  type EventName,
  type EventPayloadOf,
} from '../../src-preload/contract';
import { dispatchCall } from '../server/dispatch';

export interface IpcRouterOptions {
  handlers: ContractHandlers;
  /** True when a URL is the renderer page we loaded ourselves. */
  isOwnRendererUrl: (url: string) => boolean;
}

export class IpcRouter {
  constructor(private readonly options: IpcRouterOptions) {}

  register(): void {
    for (const channel of channelNames) {
      ipcMain.handle(channel, (event, payload: unknown) => this.dispatch(channel, event, payload));
    }
  }

  unregister(): void {
    for (const channel of channelNames) ipcMain.removeHandler(channel);
  }

  /** Pushes a contract event to every window showing the OmniPalm renderer. */
  emit<E extends EventName>(event: E, payload: EventPayloadOf<E>): void {
    // As for responses: nothing leaves main that the contract does not name, and a payload
    // of the wrong shape is a bug in main that the renderer must not have to survive.
    const parsed = events[event].safeParse(payload);
    if (!parsed.success)
      throw new Error(`${event}: main produced an event that breaks the contract`);
    for (const contents of webContents.getAllWebContents()) {
      // Only our own page: a window that ended up on a foreign URL, a devtools view or a
      // <webview> must not see the agent's terminal. send() reaches the main frame only.
      if (contents.isDestroyed() || !this.options.isOwnRendererUrl(contents.getURL())) continue;
      contents.send(event, parsed.data);
    }
  }

  private async dispatch(
    channel: ChannelName,
    event: IpcMainInvokeEvent,
    payload: unknown,
  ): Promise<unknown> {
    this.assertTrustedSender(channel, event);
    // The same parse–call–parse as the headless server: one place decides what crosses.
    return dispatchCall(this.options.handlers, channel, payload);
  }

  private assertTrustedSender(channel: ChannelName, event: IpcMainInvokeEvent): void {
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
