// The permissions view's MCP calls: the configured servers, a server's tools reviewed against
// what the user approved, and the approval itself. Each one goes to the core, which reads
// config.yaml afresh, so a server just added in the view (config.set) is known at once.
//
// Approval takes the fingerprint of the listing the user was shown: a server that changes its
// tools between the review and the click ("rug pull" timed to the approval) is refused with
// mcp_listing_changed instead of getting the new tools pinned unseen.
import type { ContractHandlers } from '../../src-preload/contract.js';
import type { AgentCore } from '../agent/core.js';

/** What the MCP handlers use of the core (AgentCore has it all). */
export type McpCore = Pick<AgentCore, 'mcpServers' | 'reviewMcpServer' | 'approveMcpServer'>;

export const MCP_CHANNELS = ['mcp.servers', 'mcp.review', 'mcp.approve'] as const;
export type McpChannel = (typeof MCP_CHANNELS)[number];
export type McpHandlers = Pick<ContractHandlers, McpChannel>;

export function createMcpHandlers(core: McpCore): McpHandlers {
  return {
    'mcp.servers': async () => ({ servers: await core.mcpServers() }),
    'mcp.review': ({ name }) => core.reviewMcpServer(name),
    'mcp.approve': ({ name, listing }) => core.approveMcpServer(name, { listing }),
  };
}
