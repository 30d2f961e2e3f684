// The client command for the official MCP conformance suite (`conformance client --command …`),
// played by the real `omnipalm mcp` CLI. The suite starts a test server for one scenario, then
// runs this file with the server's URL as the last argument and the scenario's name in
// MCP_CONFORMANCE_SCENARIO. We do what a user does: a fresh OMNIPALM_HOME whose config.yaml
// names that URL as one MCP server, then `omnipalm mcp tools`, `omnipalm mcp approve --yes` and
// `omnipalm mcp call` as the scenario needs. The suite judges what reached its server; our exit
// code says whether every step worked (a failed step: 1; bad arguments: 2).
//
// Plain Node (no TypeScript loader): the suite itself needs Node 22, but this file runs under
// whichever Node the command line names, and the CLI it starts runs under that same Node.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The server's name in config.yaml (a valid MCP server name: no underscore). */
const SERVER = 'conformance';

/**
 * What each scenario needs from the client beyond connecting and listing tools: the tools to
 * call, with their arguments. Scenarios under auth/ test the connection alone (OAuth).
 */
const SCENARIO_CALLS = {
  initialize: [],
  tools_call: [{ tool: 'add_numbers', args: { a: 5, b: 3 } }],
  'sse-retry': [{ tool: 'test_reconnection', args: {} }],
  'elicitation-sep1034-client-defaults': [{ tool: 'test_client_elicitation_defaults', args: {} }],
};

function usageError(message) {
  process.stderr.write(`conformanceClient: ${message}\n`);
  process.exit(2);
}

function callsFor(scenario) {
  if (Object.hasOwn(SCENARIO_CALLS, scenario)) return SCENARIO_CALLS[scenario];
  if (scenario.startsWith('auth/')) return [];
  return usageError(
    `no plan for scenario "${scenario}"; add what it needs to SCENARIO_CALLS in test/support/mcp/conformanceClient.mjs`,
  );
}

/** The CLI entry: bin/omnipalm.mjs (the bundle), or OMNIPALM_CONFORMANCE_CLI (.ts runs via tsx). */
function cliCommand() {
  const entry = process.env.OMNIPALM_CONFORMANCE_CLI ?? path.join(REPO_ROOT, 'bin', 'omnipalm.mjs');
  return /\.m?ts$/.test(entry) ? ['--import', 'tsx', entry] : [entry];
}

/** A config.yaml a fresh home accepts: one allowed folder, MCP on, the suite's server. */
function writeConfig(home, work, serverUrl, calls) {
  const server = {
    url: serverUrl,
    // The server's own host is the one network address it may be reached at.
    hosts: [new URL(serverUrl).hostname],
    // The tools the scenario calls run without a question (a CLI call cannot answer one).
    tools: Object.fromEntries(calls.map(({ tool }) => [tool, 'allow'])),
  };
  const config = {
    security: { allowed_paths: [work] },
    integrations: { mcp: { enabled: true, servers: { [SERVER]: server } } },
  };
  fs.writeFileSync(path.join(home, 'config.yaml'), stringify(config), { mode: 0o600 });
}

/** The environment of each CLI run: no inherited OmniPalm or D-Bus settings, our own home. */
function cliEnvironment(home) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('OMNIPALM_') && !key.startsWith('DBUS_') && !key.startsWith('MCP_')) {
      env[key] = value;
    }
  }
  env.OMNIPALM_HOME = home;
  // Test machines run as root; the app refuses that unless told, as the guide requires.
  if (process.getuid?.() === 0) env.OMNIPALM_ALLOW_ROOT = '1';
  return env;
}

let running;

/** Runs `omnipalm …`; its output is echoed (the suite saves it next to its checks). */
function omnipalm(args, env) {
  process.stderr.write(`$ omnipalm ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliCommand(), ...args], {
      env,
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => process.stderr.write(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running = undefined;
      resolve({ code: code ?? (signal ? 128 : 1), stdout });
    });
  });
}

async function main(root, serverUrl, calls) {
  // As in test/support/coreHome.ts: the home (0700) and the one allowed folder side by side.
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.mkdirSync(work);
  writeConfig(home, work, serverUrl, calls);
  const env = cliEnvironment(home);

  // Connects (initialize) and lists the tools with their approval status.
  const listed = await omnipalm(['mcp', 'tools', SERVER, '--json'], env);
  if (listed.code !== 0) return fail(`omnipalm mcp tools exited ${listed.code}`);
  if (calls.length === 0) return 0;

  const approved = await omnipalm(['mcp', 'approve', SERVER, '--yes'], env);
  if (approved.code !== 0) return fail(`omnipalm mcp approve exited ${approved.code}`);

  for (const { tool, args } of calls) {
    const called = await omnipalm(
      ['mcp', 'call', SERVER, tool, '--args', JSON.stringify(args), '--json'],
      env,
    );
    if (called.code !== 0) return fail(`omnipalm mcp call ${tool} exited ${called.code}`);
    // --json prints {status, result, text}; a tool's error result is not status ok.
    let answer;
    try {
      answer = JSON.parse(called.stdout);
    } catch {
      return fail(`omnipalm mcp call ${tool} --json printed no JSON answer`);
    }
    if (answer?.status !== 'ok' || answer.result?.isError === true) {
      return fail(`omnipalm mcp call ${tool} answered ${answer?.status}: ${answer?.text}`);
    }
  }
  return 0;
}

function fail(message) {
  process.stderr.write(`conformanceClient: ${message}\n`);
  return 1;
}

const serverUrl = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
if (process.argv.length < 3 || !URL.canParse(serverUrl ?? '')) {
  usageError('expected the server URL as the last argument (conformance client appends it)');
}
if (!scenario) usageError('MCP_CONFORMANCE_SCENARIO is not set (conformance client sets it)');
const calls = callsFor(scenario);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-mcp-conformance-'));
const cleanUp = () => fs.rmSync(root, { recursive: true, force: true });
// The suite kills a client that outlives its timeout: stop the CLI and leave no home behind.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    running?.kill('SIGTERM');
    cleanUp();
    process.exit(1);
  });
}
try {
  process.exitCode = await main(root, serverUrl, calls);
} catch (error) {
  process.exitCode = fail(error instanceof Error ? error.message : String(error));
} finally {
  cleanUp();
}
