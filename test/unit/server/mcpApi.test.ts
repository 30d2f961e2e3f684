// The mcp.* channels in the API's one error table and the OpenAPI document generated from it:
// each refusal of the hub keeps its kind and its message (which names the fix), a server that
// failed is a 502 naming the server, and the document lists every one of those per channel.
import { describe, expect, it } from 'vitest';
import { answerForError } from '../../../src-main/server/apiErrors.js';
import { openApiDocument } from '../../../src-main/server/openapi.js';
import { McpConnectionError } from '../../../src-main/tools/mcp/mcpErrors.js';
import { McpHubError } from '../../../src-main/tools/mcp/mcpHub.js';

type Responses = Record<
  string,
  { content: { 'application/json': { schema: { properties: { kind: { enum: string[] } } } } } }
>;

function kindsByStatus(channel: string): Record<string, string[]> {
  const document = openApiDocument('1.0.0') as {
    paths: Record<string, { post: { responses: Responses } }>;
  };
  const responses = document.paths[`/api/${channel}`]!.post.responses;
  return Object.fromEntries(
    Object.entries(responses)
      .filter(([status]) => Number(status) >= 400)
      .map(([status, response]) => [
        status,
        response.content['application/json'].schema.properties.kind.enum,
      ]),
  );
}

describe('mcp.* errors', () => {
  it.each([
    ['mcp_server_unknown', 404],
    ['mcp_disabled', 409],
    ['mcp_server_disabled', 409],
    ['mcp_listing_changed', 409],
  ] as const)('%s answers %i with the hub message', (kind, status) => {
    const answer = answerForError('mcp.review', new McpHubError(kind, `because ${kind}; fix it`));
    expect(answer).toEqual({
      status,
      body: { error: `because ${kind}; fix it`, kind },
      internal: false,
    });
  });

  it('a server that failed is a 502 naming the server and what stopped it', () => {
    const failure = new McpConnectionError(
      'memory',
      'start',
      'exited before it finished starting',
      'bwrap: denied',
    );
    expect(answerForError('mcp.review', failure)).toEqual({
      status: 502,
      body: {
        error:
          'MCP server "memory": exited before it finished starting; its stderr ends with: bwrap: denied',
        kind: 'mcp_connection_failed',
      },
      internal: false,
    });
  });

  it('the OpenAPI document lists them per channel', () => {
    const review = kindsByStatus('mcp.review');
    expect(review['404']).toContain('mcp_server_unknown');
    expect(review['409']).toEqual(expect.arrayContaining(['mcp_disabled', 'mcp_server_disabled']));
    expect(review['409']).not.toContain('mcp_listing_changed');
    expect(review['502']).toEqual(['mcp_connection_failed']);
    expect(kindsByStatus('mcp.approve')['409']).toContain('mcp_listing_changed');
    expect(kindsByStatus('mcp.servers')['502']).toBeUndefined();
  });
});
