// Per-call cost of an MCP tool call on OmniPalm's path — the policy (rule, rate limit in
// SQLite), confirmation check, the pinned-listing check, the server in the bubblewrap sandbox,
// redaction, result bounds, the audit log and timeline — against a direct call through the
// official SDK client to the same server started the same way without any of it. Target: at
// most 1.5× (issue 18). Both run server-everything's `echo`, interleaved, medians of rounds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { stringify } from 'yaml';
import { AgentCore } from '../../src-main/agent/core.js';
import { serverBin } from '../support/mcp/serverBin.js';

const CALLS = 200;
const SLOW_CALLS = 40;
const ROUNDS = 5;
const TARGET = 1.5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function timeCalls(
  call: (index: number) => Promise<unknown>,
  calls = CALLS,
): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < calls; index += 1) await call(index);
  return (performance.now() - started) / calls;
}

export async function run(): Promise<string[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-bench-mcp-'));
  const home = path.join(root, 'omnipalm');
  const work = path.join(root, 'work');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.mkdirSync(work);
  const bin = serverBin('server-everything');
  fs.writeFileSync(
    path.join(home, 'config.yaml'),
    stringify({
      security: {
        allowed_paths: [work],
        blocked_paths: [],
        sandbox: 'required',
        rate_limits: { mcp_calls_per_minute: 100_000 },
      },
      integrations: {
        mcp: {
          enabled: true,
          servers: {
            everything: {
              command: process.execPath,
              args: [bin, 'stdio'],
              tools: { echo: 'allow', 'trigger-long-running-operation': 'allow' },
            },
          },
        },
      },
    }),
    { mode: 0o600 },
  );
  const core = await AgentCore.open({
    home,
    homeDir: root,
    env: { HOME: root, PATH: '/usr/bin:/bin' },
  });
  const direct = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  try {
    await core.approveMcpServer('everything');
    await direct.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [bin, 'stdio'],
        stderr: 'ignore',
      }),
    );
    // Warm both (JIT, first-call set-up).
    for (let index = 0; index < 20; index += 1) {
      await direct.callTool({ name: 'echo', arguments: { message: `warm ${index}` } });
      const outcome = await core.callMcpTool('everything', 'echo', { message: `warm ${index}` });
      if (outcome.status !== 'ok') throw new Error(`bench call failed: ${outcome.text}`);
    }
    const full: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      baseline.push(
        await timeCalls((index) =>
          direct.callTool({ name: 'echo', arguments: { message: `call ${index}` } }),
        ),
      );
      full.push(
        await timeCalls((index) =>
          core.callMcpTool('everything', 'echo', { message: `call ${index}` }),
        ),
      );
    }
    const ratio = median(full) / median(baseline);
    const overhead = median(full) - median(baseline);
    // The same overhead on a tool that does a little work (10 ms of progress steps): what a
    // real server's call (a database, an API) looks like next to an echo.
    const slowFull: number[] = [];
    const slowBaseline: number[] = [];
    const slowArgs = { duration: 0.01, steps: 1 };
    for (let round = 0; round < ROUNDS; round += 1) {
      slowBaseline.push(
        await timeCalls(
          () => direct.callTool({ name: 'trigger-long-running-operation', arguments: slowArgs }),
          SLOW_CALLS,
        ),
      );
      slowFull.push(
        await timeCalls(
          () => core.callMcpTool('everything', 'trigger-long-running-operation', slowArgs),
          SLOW_CALLS,
        ),
      );
    }
    const slowRatio = median(slowFull) / median(slowBaseline);
    return [
      `per call through policy+sandbox+audit ${median(full).toFixed(3)} ms vs direct SDK ${median(baseline).toFixed(3)} ms: ${ratio.toFixed(2)}× (target ≤ ${TARGET}×), +${overhead.toFixed(3)} ms per call`,
      `a 10 ms tool through policy+sandbox+audit ${median(slowFull).toFixed(3)} ms vs direct SDK ${median(slowBaseline).toFixed(3)} ms: ${slowRatio.toFixed(2)}×`,
    ];
  } finally {
    await direct.close();
    await core.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
