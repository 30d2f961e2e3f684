// MCP servers through the API (issue 18, item 6): `omnipalm start --headless` as a real child
// process, its mcp.* channels called over HTTP as the window calls them, with the reference
// server-memory started for real in the OS sandbox. The statuses are the ones the OpenAPI
// document promises: 400 naming the field, 404 for an unknown server, 409 when MCP or the
// server is off or the listing changed since the review, 502 naming a server that failed.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../../support/headlessClient.js';
import { startHeadlessProcess, type HeadlessProcess } from '../../support/headlessProcess.js';
import { makeRunFixture, type RunFixture } from '../agent/runFixture.js';
import { serverBin } from '../../support/mcp/serverBin.js';

const MEMORY = serverBin('server-memory');
/** The tools server-memory lists (its README). */
const MEMORY_TOOLS = [
  'create_entities',
  'create_relations',
  'add_observations',
  'delete_entities',
  'delete_observations',
  'delete_relations',
  'read_graph',
  'search_nodes',
  'open_nodes',
];

let fixture: RunFixture;
let server: HeadlessProcess;

beforeAll(async () => {
  fixture = await makeRunFixture([], (work) => ({
    integrations: {
      mcp: {
        enabled: true,
        servers: {
          // Its memory file inside the allowed folder: the sandbox lets it write only there.
          memory: {
            command: process.execPath,
            args: [MEMORY],
            tools: { read_graph: 'allow', delete_entities: 'deny' },
            read_only_tools: ['read_graph'],
          },
          off: { enabled: false, command: process.execPath, args: [MEMORY] },
          broken: { command: path.join(work, 'no-such-server') },
        },
      },
    },
  }));
  server = await startHeadlessProcess(fixture.home, fixture.env);
}, 30_000);

afterAll(async () => {
  server?.stop();
  await server?.exited;
  await fixture?.close();
});

interface ServerView {
  name: string;
  enabled: boolean;
  kind: string;
  target: string;
  state: string;
  sandboxed: boolean;
  approval: string;
  approvedTools: string[];
  rules: Record<string, string>;
  readOnlyTools: string[];
}
interface ToolReview {
  name: string;
  status: string;
  modelName?: string;
  rule: string;
  readOnly: boolean;
  description: { text: string; flags: string[] };
  inputSchema: unknown;
}
interface Review {
  server: ServerView;
  tools: ToolReview[];
  listing: string;
  pending: boolean;
}

async function api<T = { error: string; kind: string }>(
  channel: string,
  payload: unknown = {},
): Promise<{ status: number; body: T }> {
  const response = await callApi(server.port, server.token, channel, payload);
  return { status: response.status, body: JSON.parse(response.body) as T };
}

describe('mcp.* over the headless API', { timeout: 60_000 }, () => {
  it('lists, reviews and approves server-memory running in the sandbox', async () => {
    const listed = await api<{ servers: ServerView[] }>('mcp.servers');
    expect(listed.status).toBe(200);
    expect(listed.body.servers.map((entry) => entry.name)).toEqual(['memory', 'off', 'broken']);
    const memory = listed.body.servers[0]!;
    expect(memory).toMatchObject({
      enabled: true,
      kind: 'stdio',
      target: `${process.execPath} ${MEMORY}`,
      // Listing starts nothing.
      state: 'idle',
      sandboxed: true,
      approval: 'never_reviewed',
      approvedTools: [],
      rules: { read_graph: 'allow', delete_entities: 'deny' },
      readOnlyTools: ['read_graph'],
    });
    expect(listed.body.servers[1]).toMatchObject({ name: 'off', enabled: false });

    const review = await api<Review>('mcp.review', { name: 'memory' });
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    expect(review.body.server.state).toBe('running');
    expect(review.body.pending).toBe(true);
    expect(review.body.listing).toMatch(/\S/);
    expect(review.body.tools.map((tool) => tool.name).sort()).toEqual([...MEMORY_TOOLS].sort());
    expect(review.body.tools.every((tool) => tool.status === 'new')).toBe(true);
    const readGraph = review.body.tools.find((tool) => tool.name === 'read_graph')!;
    expect(readGraph).toMatchObject({
      modelName: 'mcp_memory_read_graph',
      rule: 'allow',
      readOnly: true,
    });
    expect(readGraph.description.text).toMatch(/graph/i);
    const create = review.body.tools.find((tool) => tool.name === 'create_entities')!;
    // Not listed in the config: ask.
    expect(create.rule).toBe('ask');
    expect(create.inputSchema).toMatchObject({ type: 'object' });

    // An approval of anything but the listing shown is refused, and pins nothing.
    const stale = await api('mcp.approve', { name: 'memory', listing: 'not-what-was-shown' });
    expect(stale.status).toBe(409);
    expect(stale.body.kind).toBe('mcp_listing_changed');
    expect(stale.body.error).toMatch(/review them again/);
    expect((await api<{ servers: ServerView[] }>('mcp.servers')).body.servers[0]!.approval).toBe(
      'never_reviewed',
    );

    const approved = await api<Review>('mcp.approve', {
      name: 'memory',
      listing: review.body.listing,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.pending).toBe(false);
    expect(approved.body.listing).toBe(review.body.listing);
    expect(approved.body.tools.every((tool) => tool.status === 'approved')).toBe(true);
    expect(approved.body.server.approval).toBe('approved');

    const after = (await api<{ servers: ServerView[] }>('mcp.servers')).body.servers[0]!;
    expect(after.approval).toBe('approved');
    expect(after.approvedTools.sort()).toEqual([...MEMORY_TOOLS].sort());
    // The approval is audited as the user's change.
    expect(fixture.auditLines().join('\n')).toMatch(
      /\[config\] mcp\.memory .*approved 9 tools of MCP server memory.*by="user"/,
    );
  });

  it('answers each refusal with its status, its kind and a message naming the fix', async () => {
    const badName = await api('mcp.review', { name: 'My_Server' });
    expect(badName.status).toBe(400);
    expect(badName.body.kind).toBe('bad_request');
    expect(badName.body.error).toMatch(/mcp\.review: request refused:.*MCP server name/s);
    expect(badName.body.error).toMatch(/at name/);

    const noListing = await api('mcp.approve', { name: 'memory' });
    expect(noListing.status).toBe(400);
    expect(noListing.body.error).toMatch(/at listing/);

    const extra = await api('mcp.servers', { name: 'memory' });
    expect(extra.status).toBe(400);

    const unknown = await api('mcp.review', { name: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.kind).toBe('mcp_server_unknown');
    expect(unknown.body.error).toMatch(/configured: memory, off, broken/);

    const off = await api('mcp.review', { name: 'off' });
    expect(off.status).toBe(409);
    expect(off.body.kind).toBe('mcp_server_disabled');
    expect(off.body.error).toMatch(/enabled: true under integrations\.mcp\.servers\.off/);

    // The server that cannot start: the sandboxed launch fails, and the answer says which.
    const broken = await api('mcp.review', { name: 'broken' });
    expect(broken.status).toBe(502);
    expect(broken.body.kind).toBe('mcp_connection_failed');
    expect(broken.body.error).toMatch(/^MCP server "broken": exited before it finished starting/);
    expect(broken.body.error).toMatch(/no-such-server: No such file or directory/);
    const state = (await api<{ servers: ServerView[] }>('mcp.servers')).body.servers[2]!;
    expect(state.name).toBe('broken');

    // MCP switched off in the settings: the next call reads config.yaml afresh and refuses.
    const set = await api<{ ok: boolean }>('config.set', {
      key: 'integrations.mcp.enabled',
      value: false,
    });
    expect(set.body.ok).toBe(true);
    const disabled = await api('mcp.review', { name: 'memory' });
    expect(disabled.status).toBe(409);
    expect(disabled.body.kind).toBe('mcp_disabled');
    expect(disabled.body.error).toMatch(/omnipalm config set integrations\.mcp\.enabled true/);
    const listed = await api<{ servers: ServerView[] }>('mcp.servers');
    expect(listed.body.servers.every((entry) => !entry.enabled)).toBe(true);
  });
});
