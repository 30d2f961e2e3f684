// Vitest global setup: bundles the CLI once per test run (esbuild, ~0.1 s) so that the many
// child processes the suite starts skip tsx's on-the-fly compilation. The bundle is built
// from the same sources; one test still runs bin/omnipalm.mjs itself.
import { build } from 'esbuild';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
// Same depth below the repository as src-main/cli, so relative lookups resolve alike.
export const BUILT_CLI = path.join(REPO_ROOT, 'out', 'test-cli', 'omnipalm.mjs');

export default async function setup(): Promise<void> {
  await build({
    entryPoints: [path.join(REPO_ROOT, 'src-main', 'cli', 'entry.ts')],
    // Split: what a command imports lazily (Playwright, the agent) stays lazy, so every CLI
    // start in the suite does not pay for it.
    outdir: path.dirname(BUILT_CLI),
    entryNames: path.basename(BUILT_CLI, '.mjs'),
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
