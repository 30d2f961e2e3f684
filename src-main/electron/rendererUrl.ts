// Where the renderer comes from, and how to recognise it again. Deliberately free of
// 'electron' imports so it can be unit-tested in plain Node.
import { pathToFileURL } from 'node:url';

export interface RendererUrlInputs {
  isPackaged: boolean;
  /** ELECTRON_RENDERER_URL, set by `electron-vite dev` to its dev server. */
  devServerUrl: string | undefined;
  /** Absolute path of the built out/renderer/index.html. */
  builtIndexPath: string;
}

export function resolveRendererUrl(inputs: RendererUrlInputs): string {
  // A packaged app never takes its UI from an environment variable: otherwise anyone who can
  // set ELECTRON_RENDERER_URL could load their own page and receive the bridge to main.
  if (!inputs.isPackaged && inputs.devServerUrl && /^https?:\/\//.test(inputs.devServerUrl)) {
    return inputs.devServerUrl;
  }
  return pathToFileURL(inputs.builtIndexPath).href;
}

/**
 * True when `candidateUrl` is the renderer we loaded. file: pages all share the opaque
 * origin "null", so for them the exact file must match; for the dev server, its origin.
 */
export function isOwnRendererUrl(rendererUrl: string, candidateUrl: string): boolean {
  let expected: URL;
  let actual: URL;
  try {
    expected = new URL(rendererUrl);
    actual = new URL(candidateUrl);
  } catch {
    return false;
  }
  if (expected.protocol === 'file:') {
    return (
      actual.protocol === 'file:' && actual.host === '' && actual.pathname === expected.pathname
    );
  }
  return actual.origin === expected.origin;
}
