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
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
}

/** The part of a Session the guards use. */
export interface HardenableSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (contents: unknown, permission: string, origin?: string) => boolean,
  ): void;
  setDevicePermissionHandler(handler: () => boolean): void;
}

/** Link schemes a click may hand to the system (browser, mail client); nothing else leaves. */
const EXTERNAL_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/**
 * The address to give the system for a link the page asked to open, or null. file:, smb:,
 * javascript:, custom app schemes (which can launch local programs with arguments) never go.
 */
export function externalLinkUrl(address: string): string | null {
  try {
    const url = new URL(address);
    return EXTERNAL_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * The one permission the UI needs: writing text to the clipboard (a code block's Copy). Reading
 * the clipboard stays refused: a page must never see what the user copied elsewhere.
 */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/**
 * @param openExternal hands a link to the system browser (shell.openExternal). A markdown link
 *   in an answer is rendered target=_blank, so a click arrives here as a window-open.
 */
export function hardenWebContents(
  contents: HardenableContents,
  openExternal: (url: string) => void = () => undefined,
): void {
  // Stops window.open / target=_blank from opening a new window with content we did not
  // choose, which would carry no hardening of ours (and our preload's bridge if it loaded our
  // origin). An http(s)/mailto link goes to the system browser instead, outside the app.
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalLinkUrl(url);
    if (external !== null) openExternal(external);
    return { action: 'deny' };
  });
  // Stops the page from navigating itself (a link in rendered content, an injected
  // location.href) to a foreign site that would then run with our preload attached.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function hardenSession(session: HardenableSession): void {
  // Stops page content from obtaining camera, microphone, geolocation, notifications,
  // clipboard reading and similar powers: OmniPalm's UI needs none of them (only writing the
  // clipboard, for Copy).
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(ALLOWED_PERMISSIONS.has(permission)),
  );
  // The synchronous form (navigator.permissions.query and friends) says the same.
  session.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
  // And no direct access to USB, HID or serial devices.
  session.setDevicePermissionHandler(() => false);
}

// Keeps the narrow shapes above honest: the real Electron objects must still fit them.
type Fits<Actual extends Wanted, Wanted> = [Actual, Wanted];
type _RealWebContentsFits = Fits<WebContents, HardenableContents>;
type _RealSessionFits = Fits<Session, HardenableSession>;
