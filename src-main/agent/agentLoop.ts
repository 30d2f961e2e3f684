// One task, start to finish (DESIGN.md §2): the model proposes tool calls, each is validated,
// planned and judged by the policy; an `ask` goes to the confirmation broker; only an allowed
// or approved plan executes. Results go back to the model wrapped as untrusted data, and the
// run budget stops the loop at the first limit it reaches.
import type Anthropic from '@anthropic-ai/sdk';
import type { AuditEvent } from '../audit/auditEvent.js';
import { BudgetExceededError, type RunBudget, type StopReason } from '../policy/runBudget.js';
import type { ConfirmationBroker } from './confirmationBroker.js';
import type { AgentTool, ToolRegistry } from './toolRegistry.js';

type MessageParam = Anthropic.Messages.MessageParam;
type ToolResult = Anthropic.Messages.ToolResultBlockParam;
type ToolUse = Anthropic.Messages.ToolUseBlock;

export interface AuditSink {
  record(event: AuditEvent): void;
}

export interface RunTaskOptions<Context extends { signal?: AbortSignal }> {
  prompt: string;
  client: Anthropic;
  model: string;
  registry: ToolRegistry<Context>;
  toolContext: Context;
  broker: Pick<ConfirmationBroker, 'request'>;
  budget: RunBudget;
  audit?: AuditSink;
  taskId: string;
  maxTokens?: number;
  onText?: (text: string) => void;
}

export interface TaskOutcome {
  status: 'done' | 'stopped' | 'error';
  text: string;
  stopReason?: StopReason;
  error?: string;
}

export const DEFAULT_MAX_TOKENS = 4096;

/** Tool output as data: `<` is escaped in the JSON so nothing inside can close the wrapper. */
export function wrapUntrusted(source: string, result: unknown): string {
  const json = (JSON.stringify(result) ?? 'null').replace(/</g, '\\u003c');
  return `<tool_result source="${source}" trust="untrusted">\n${json}\n</tool_result>`;
}

function textOf(message: Anthropic.Messages.Message): string {
  return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
}

export async function runTask<Context extends { signal?: AbortSignal }>(
  options: RunTaskOptions<Context>,
): Promise<TaskOutcome> {
  const { client, model, registry, budget, taskId } = options;
  const audit = (event: AuditEvent) => options.audit?.record({ ...event, taskId });
  const messages: MessageParam[] = [{ role: 'user', content: options.prompt }];
  let text = '';
  audit({ kind: 'user_command', text: options.prompt });
  try {
    for (;;) {
      budget.startIteration();
      const stream = client.messages.stream(
        {
          model,
          max_tokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
          tools: registry.definitions(),
          messages,
        },
        { signal: budget.signal },
      );
      if (options.onText) stream.on('text', options.onText);
      const reply = await stream.finalMessage();
      budget.chargeUsage(reply.usage, model);
      text = textOf(reply);
      if (text) audit({ kind: 'agent_response', text });
      if (reply.stop_reason !== 'tool_use') return { status: 'done', text };

      messages.push({ role: 'assistant', content: reply.content });
      const results: ToolResult[] = [];
      for (const block of reply.content) {
        if (block.type === 'tool_use') results.push(await runTool(options, block, audit));
      }
      messages.push({ role: 'user', content: results });
    }
  } catch (error) {
    const stopReason =
      error instanceof BudgetExceededError ? error.reason : (budget.stopReason ?? undefined);
    if (stopReason) {
      audit({ kind: 'agent_response', level: 'WARN', status: 'stopped', text: stopReason.message });
      return { status: 'stopped', text, stopReason };
    }
    const message = error instanceof Error ? error.message : String(error);
    audit({ kind: 'error', text: message });
    return { status: 'error', text, error: message };
  }
}

async function runTool<Context extends { signal?: AbortSignal }>(
  options: RunTaskOptions<Context>,
  use: ToolUse,
  audit: (event: AuditEvent) => void,
): Promise<ToolResult> {
  const { budget, taskId } = options;
  const failed = (message: string, name = use.name): ToolResult => {
    audit({ kind: 'tool_result', name, status: 'error', text: message });
    budget.recordError();
    return { type: 'tool_result', tool_use_id: use.id, is_error: true, content: message };
  };

  const tool: AgentTool<Context> | undefined = options.registry.find(use.name);
  if (!tool) return failed(`unknown tool ${use.name}`);
  audit({ kind: 'tool_call', name: tool.name, tool: tool.name, operation: tool.operation });
  const parsed = tool.inputSchema.safeParse(use.input);
  if (!parsed.success) return failed(`invalid input: ${parsed.error.message}`, tool.name);

  const own = options.toolContext.signal;
  const signal = own ? AbortSignal.any([own, budget.signal]) : budget.signal;
  const context: Context = { ...options.toolContext, signal };
  try {
    const plan = tool.plan(parsed.data, context);
    const { decision } = plan;
    const operation = decision.operations?.[0] ?? tool.operation;
    if (decision.decision === 'deny') {
      audit({
        kind: 'policy',
        name: tool.name,
        decision: 'deny',
        operation,
        text: decision.reason,
      });
      return failed(`denied by policy: ${decision.reason}`, tool.name);
    }
    if (decision.decision === 'ask') {
      const outcome = await options.broker.request(
        {
          taskId,
          operation,
          summary: plan.summary,
          preview: plan.preview,
          ...(plan.fullList ? { fullPreview: plan.fullList } : {}),
          risk: decision.risk,
          reason: decision.reason,
          fingerprint: plan.fingerprint,
        },
        budget.signal,
      );
      audit({
        kind: 'confirmation',
        name: tool.name,
        operation,
        decision: 'ask',
        status: outcome.answer,
      });
      if (!outcome.approved) return failed('the user declined this action', tool.name);
    }
    const result = await tool.execute(plan, context);
    audit({ kind: 'tool_result', name: tool.name, tool: tool.name, status: 'ok' });
    budget.recordSuccess();
    return { type: 'tool_result', tool_use_id: use.id, content: wrapUntrusted(tool.name, result) };
  } catch (error) {
    if (error instanceof BudgetExceededError || budget.signal.aborted) throw error;
    return failed(error instanceof Error ? error.message : String(error), tool.name);
  }
}
