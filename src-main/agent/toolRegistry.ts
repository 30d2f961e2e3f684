// The tools the model is offered, by the name it calls them (fs_read), each with the dotted name
// the policy and the audit log use (fs.read). A tool plans first — the exact targets and the
// policy's answer — and executes only the plan the policy allowed or the user approved.
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { Operation } from '../config/schema.js';
import type { PolicyDecision } from '../policy/types.js';

/** What the agent loop needs from a tool's plan (fs tools' Plan has all of it). */
export interface ToolPlan {
  decision: PolicyDecision;
  /** One line for the confirmation prompt. */
  summary: string;
  /** A few preview lines. */
  preview: string[];
  /** Everything, for a "List" button (fs.delete's fullList). */
  fullList?: string[];
  /** Identifies the exact operation and its targets. */
  fingerprint: string;
}

/**
 * A tool, with its input type erased: the registry validates input with `inputSchema` before
 * `plan` sees it. Method syntax on purpose, so typed tools (FsTool<ReadInput, …>) fit.
 */
export interface AgentTool<Context> {
  name: string;
  modelName: string;
  description: string;
  inputSchema: z.ZodType;
  /**
   * The JSON schema offered to the model, when it is not built from `inputSchema`: an MCP
   * tool's schema as the user approved it (the server validates its own input).
   */
  inputJsonSchema?: Record<string, unknown>;
  /** The operation asked about when the policy names none. */
  operation: Operation;
  /**
   * Its results carry content nobody vouched for (web pages, command output, Slack/Jira
   * text): once the model saw one, outbound operations need confirmation (untrusted guard).
   */
  untrustedResult?: boolean;
  /**
   * For tools whose results are untrusted only sometimes (a document is, a file in
   * security.trusted_paths is not): the sources in `result` that taint the task, each named
   * for the confirmation preview ("fs.read /home/u/projects/inbox.txt"). Wins over
   * `untrustedResult`; an empty list leaves the task as it was.
   */
  untrustedSources?(result: unknown, context: Context): string[];
  /**
   * Awaited after `plan` unless the policy denied, before anyone is asked: checks that need
   * I/O (an MCP tool checks that its server still lists it as approved, so nobody is asked
   * about a call that would be refused). A throw fails the call before it is asked or run.
   */
  prepare?(context: Context): Promise<void>;
  plan(input: unknown, context: Context): ToolPlan;
  execute(plan: ToolPlan, context: Context): Promise<unknown>;
}

const MODEL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export class ToolRegistry<Context> {
  private readonly tools = new Map<string, AgentTool<Context>>();
  /** Built once: the JSON schemas do not change, and every model turn sends them. */
  private cachedDefinitions: Anthropic.Messages.Tool[] | undefined;

  constructor(tools: readonly AgentTool<Context>[] = []) {
    for (const tool of tools) this.register(tool);
  }

  register(tool: AgentTool<Context>): void {
    if (!MODEL_NAME.test(tool.modelName)) throw new Error(`invalid tool name ${tool.modelName}`);
    if (this.tools.has(tool.modelName)) throw new Error(`duplicate tool ${tool.modelName}`);
    this.tools.set(tool.modelName, tool);
    this.cachedDefinitions = undefined;
  }

  find(modelName: string): AgentTool<Context> | undefined {
    return this.tools.get(modelName);
  }

  /** The Anthropic tool definitions, in registration order. */
  definitions(): Anthropic.Messages.Tool[] {
    this.cachedDefinitions ??= this.buildDefinitions();
    return this.cachedDefinitions;
  }

  private buildDefinitions(): Anthropic.Messages.Tool[] {
    return [...this.tools.values()].map((tool) => {
      const { $schema: _ignored, ...schema } = (tool.inputJsonSchema ??
        z.toJSONSchema(tool.inputSchema, { io: 'input' })) as Record<string, unknown>;
      return {
        name: tool.modelName,
        description: tool.description,
        input_schema: { ...schema, type: 'object' },
      };
    });
  }
}
