// Guards every OmniPalm webContents and session gets, per Electron's security checklist.
// Type-only 'electron' imports: the shapes below are the few methods the guards use, so a
// unit test can hand in stand-ins and check that each guard says no.
import type { Session, WebContents } from 'electron';

/** An event whose default action (a navigation, an attached <webview>) can be stopped. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The part of a WebContents the guards use. */
export interface HardenableContents {
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
}

/** The part of a Session the guards use. */
export interface HardenableSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
}

export function hardenWebContents(contents: HardenableContents): void {
  // Stops window.open / target=_blank from opening a new window with content we did not
  // choose, which would carry no hardening of ours.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Stops the page from navigating itself (a link in rendered content, an injected
  // location.href) to a foreign site that would then run with our preload attached.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function hardenSession(session: HardenableSession): void {
  // Stops page content from obtaining camera, microphone, geolocation, notifications,
  // clipboard reading and similar powers: OmniPalm's UI needs none of them.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  // The synchronous form (navigator.permissions.query and friends) says no as well.
  session.setPermissionCheckHandler(() => false);
  // And no direct access to USB, HID or serial devices.
  session.setDevicePermissionHandler(() => false);
}

// Keeps the narrow shapes above honest: the real Electron objects must still fit them.
type Fits<Actual extends Wanted, Wanted> = [Actual, Wanted];
type _RealWebContentsFits = Fits<WebContents, HardenableContents>;
type _RealSessionFits = Fits<Session, HardenableSession>;
