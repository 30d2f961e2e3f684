// Bundles the `omnipalm` command (src-main/cli/entry.ts) into out/cli/omnipalm.mjs, so that
// bin/omnipalm.mjs starts plain JavaScript and never compiles TypeScript at run time. Runs at
// `npm install` in a checkout (prepare), in `npm run build`, and before `npm pack` (prepack);
// the test suite builds with the same function, so the suite and users run the same bundle.
//
// Packages stay imports of node_modules (native addons, the model SDK, Playwright, the shell
// parser and its .wasm: a bundler cannot inline a .node file, and they are loaded only by the
// commands that use them) — except zod and yaml, which nearly every command needs: bundled,
// they load as one file instead of ~100 ESM modules resolved one by one (~80 ms less for
// `omnipalm config get` here). Code splitting keeps each dynamic import() its own file, so
// `omnipalm --version` loads none of what `omnipalm run` needs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Same depth below the repository as src-main/cli: `../../out/renderer` resolves alike. */
export const CLI_OUT_DIR = path.join(REPO_ROOT, 'out', 'cli');
export const BUILT_CLI = path.join(CLI_OUT_DIR, 'omnipalm.mjs');

/** Pure-JavaScript packages on the start-up path of most commands, bundled into out/cli. */
const BUNDLED_PACKAGES = new Set(['zod', 'yaml']);

/** 'zod/v4/core' → 'zod', '@anthropic-ai/sdk/streaming' → '@anthropic-ai/sdk'. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * zod's `z.locales` namespace holds its error messages in 40-odd languages (~360 kB, half of
 * zod); OmniPalm writes its own messages and never calls z.locales.xx(). Bundled, the namespace
 * keeps English only (zod registers English itself, from locales/en.js), which halves what
 * every config-reading command compiles at start.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? {
            path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'),
            namespace: 'zod-en',
          }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** Every bare import (a package or a Node built-in) stays external unless it is bundled. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'entry-point' || BUNDLED_PACKAGES.has(packageName(args.path))
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * The fingerprint of the code that turns config.yaml into a validated config (configStore.ts
 * and everything it imports: the schema, the credential check, zod and yaml themselves),
 * injected as __OMNIPALM_CONFIG_FINGERPRINT__. It keys the config cache
 * (src-main/config/configCache.ts): a build whose validation could differ in any way — a
 * changed default, a new check, another zod — never trusts an entry an older build wrote.
 * The files are found by bundling them (esbuild's metafile), so no list can go stale.
 */
async function configFingerprint() {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: ['configStore.ts', 'configCache.ts'].map((name) =>
      path.join(REPO_ROOT, 'src-main', 'config', name),
    ),
    outdir: path.join(REPO_ROOT, 'out', 'config-fingerprint'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externalPackages, zodEnglishOnly],
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const hash = createHash('sha256');
  for (const input of Object.keys(result.metafile.inputs).sort()) {
    // Virtual modules (the zod-en namespace) are named by the file they stand for.
    const file = path.resolve(REPO_ROOT, input.replace(/^[a-z-]+:/, ''));
    hash.update(`${input}\0`).update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Builds the bundle. `clean` empties the folder first, so that a package carries no chunks of
 * earlier builds (`npm pack` does it); other builds leave them, since a test run or a running
 * `omnipalm start` may still be loading them.
 * @param {{ outdir?: string, clean?: boolean }} [options]
 * @returns {Promise<{ entry: string, files: string[] }>}
 */
export async function buildCli({ outdir = CLI_OUT_DIR, clean = false } = {}) {
  if (clean) fs.rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join(REPO_ROOT, 'src-main', 'cli', 'entry.ts')],
    outdir,
    entryNames: 'omnipalm',
    // Chunks sit beside the entry, not in a subfolder: code that finds files relative to its
    // own module (import.meta.dirname) must see the same depth as in src-main/cli.
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externalPackages, zodEnglishOnly],
    define: { __OMNIPALM_CONFIG_FINGERPRINT__: JSON.stringify(await configFingerprint()) },
    // yaml's Node build is CommonJS and requires built-ins ('process', 'buffer'); an ES module
    // has no `require` of its own, so each file gets one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
    // No source maps: stack traces name the bundled functions, and a map would ship the whole
    // source (comments included) in the package for nothing a user runs.
    sourcemap: false,
    minifyWhitespace: true,
    minifySyntax: true,
    write: false,
    logLevel: 'warning',
  });
  // Another test run may be starting the CLI from these files right now: each file is
  // replaced in one rename (never seen half-written), chunks first, the entry that imports
  // them last. Chunks are named by their content, so an older entry still finds its own.
  const entry = path.join(outdir, 'omnipalm.mjs');
  fs.mkdirSync(outdir, { recursive: true });
  const files = [...result.outputFiles].sort((a, b) => (a.path === entry) - (b.path === entry));
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, file.contents);
    fs.renameSync(temporary, file.path);
  }
  return { entry, files: files.map((file) => file.path) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = performance.now();
  const { entry, files } = await buildCli({ clean: process.argv.includes('--clean') });
  const took = Math.round(performance.now() - started);
  console.log(`built ${path.relative(REPO_ROOT, entry)} (${files.length} files, ${took} ms)`);
}
