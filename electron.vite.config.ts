// Builds main → out/main, preload → out/preload, renderer → out/renderer.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

// Native addons are loaded from node_modules at run time (rebuilt for Electron's ABI by
// electron-builder); a bundler cannot inline a .node file.
const nativeModules = ['better-sqlite3', 'node-pty', '@napi-rs/keyring'];

export default defineConfig({
  main: {
    build: {
      // Every dependency stays a require of node_modules; natives listed again so they stay
      // external even if someone turns externalizeDeps off.
      externalizeDeps: true,
      rolldownOptions: {
        input: { main: resolve('src-main/main.ts') },
        external: nativeModules,
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload has no require() of node_modules, only of 'electron': zod and
      // the contract must be bundled in.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src-preload/index.ts') },
        // Sandboxed preloads are run as classic scripts: ESM is not supported there, so the
        // output is CommonJS whatever package.json's "type" says.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    plugins: [react(), devServerCspNonce()],
    build: {
      outDir: resolve('out/renderer'),
      rolldownOptions: { input: resolve('src-renderer/index.html') },
    },
  },
});

/**
 * The dev server (only) injects an inline script — React Fast Refresh's preamble — which
 * index.html's strict CSP blocks. Vite stamps it with a per-run nonce, and this adds that nonce
 * to script-src. Production builds are untouched.
 */
function devServerCspNonce(): Plugin {
  const nonce = randomBytes(16).toString('base64');
  return {
    name: 'omnipalm:dev-server-csp-nonce',
    apply: 'serve',
    config: () => ({ html: { cspNonce: nonce } }),
    transformIndexHtml: {
      order: 'pre',
      handler: (html: string) =>
        html
          // Styles: only the script nonce — a nonce in style-src would switch off the
          // 'unsafe-inline' that xterm's injected <style> elements need.
          .replace("script-src 'self'", `script-src 'self' 'nonce-${nonce}'`),
    },
  };
}
