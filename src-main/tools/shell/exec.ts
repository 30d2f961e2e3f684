// shell.exec — runs one command in the task's persistent shell. The plan is what the user
// confirms: the command, the folder it runs in, and what the policy found it does (deletes,
// deploys, paths it touches). execute() refuses a denied plan, charges the real policy
// decision, and refuses to run if the shell's folder moved since the preview, because the
// policy's answer (allowed paths, relative targets) depends on that folder.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Policy } from '../../policy/taskPolicy.js';
import type { PolicyDecision } from '../../policy/types.js';
import { PolicyDeniedError, type Plan } from '../fs/shared.js';
import type { SandboxViolation } from './sandboxViolations.js';
import type { ShellSession } from './shellSession.js';

export const DEFAULT_TIMEOUT_SECONDS = 60;
export const MAX_TIMEOUT_SECONDS = 600;
/** Output handed back to the model; longer output keeps its start and its end. */
export const MAX_TOOL_OUTPUT_CHARS = 100 * 1024;

const inputSchema = z.strictObject({
  command: z
    .string()
    .min(1)
    .max(10_000)
    .describe('A bash command line. It runs in the same shell as earlier commands: cd persists.'),
  timeoutSeconds: z
    .number()
    .positive()
    .max(MAX_TIMEOUT_SECONDS)
    .optional()
    .describe(
      `Interrupt the command after this many seconds (default ${DEFAULT_TIMEOUT_SECONDS}).`,
    ),
});
export type ShellExecInput = z.infer<typeof inputSchema>;

export interface ShellToolContext {
  enforcer: Policy;
  /** The task's shell: the command runs in its current folder. */
  shell: ShellSession;
  /** Told what the sandbox stopped (the audit log records each as a violation). */
  onSandboxViolation?: (violation: SandboxViolation, command: string) => void;
  signal?: AbortSignal;
}

export interface ShellExecResult {
  output: string;
  exitCode: number;
  timedOut: boolean;
  /** Said to the model too, so it stops trying instead of working around it. */
  sandboxBlocked?: string[];
}

export interface ShellTool<Input, P extends Plan<Input>, Result> {
  name: `shell.${string}`;
  modelName: `shell_${string}`;
  description: string;
  inputSchema: z.ZodType<Input>;
  operation: 'execute_shell';
  /** Command output is text nobody vouched for (a README, a web page fetched by curl…). */
  untrustedResult: true;
  plan(input: Input, context: ShellToolContext): P;
  execute(plan: P, context: ShellToolContext): Promise<Result>;
}

export class ShellFolderChangedError extends Error {
  constructor(
    readonly plannedCwd: string,
    readonly cwd: string,
  ) {
    super(
      `the shell moved from ${plannedCwd} to ${cwd} since the preview; nothing was run. Plan the command again.`,
    );
    this.name = 'ShellFolderChangedError';
  }
}

function decideShell(
  context: ShellToolContext,
  command: string,
  cwd: string,
  dryRun: boolean,
): PolicyDecision {
  return context.enforcer.decide({ op: 'execute_shell', command, cwd }, { dryRun });
}

// eslint-disable-next-line no-control-regex -- terminal escape sequences are what it removes
const TERMINAL_CODES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** CSI and OSC sequences (colours, cursor moves, titles) removed. */
export function stripTerminalCodes(text: string): string {
  return text.replace(TERMINAL_CODES, '');
}

/** The start and the end of long output, with a note saying how much was left out. */
export function capOutput(output: string, droppedChars = 0, limit = MAX_TOOL_OUTPUT_CHARS): string {
  if (output.length <= limit && droppedChars === 0) return output;
  if (output.length <= limit) {
    return `${output}\n[output truncated: ${droppedChars} more characters were not kept]`;
  }
  const half = Math.floor(limit / 2);
  const omitted = output.length - 2 * half + droppedChars;
  return `${output.slice(0, half)}\n[output truncated: ${omitted} characters left out]\n${output.slice(-half)}`;
}

export const shellExec: ShellTool<ShellExecInput, Plan<ShellExecInput>, ShellExecResult> = {
  name: 'shell.exec',
  modelName: 'shell_exec',
  description:
    'Run a bash command in the task\'s shell (one shell per task: "cd" and exported variables persist between commands). Returns the combined output (up to 100 KB), the exit code, and whether it timed out. Commands read no input: stdin is empty.',
  inputSchema,
  operation: 'execute_shell',
  untrustedResult: true,

  plan(input, context) {
    const cwd = context.shell.cwd;
    const decision = decideShell(context, input.command, cwd, true);
    const commandLine = `$ ${input.command}`;
    // decide() lists the command itself first; it is shown once.
    const details = (decision.details ?? []).filter((line) => line !== commandLine);
    return {
      tool: 'shell.exec',
      input,
      targets: [cwd],
      decision,
      summary: `Run a command in ${cwd}`,
      preview: [commandLine, ...details],
      fingerprint: createHash('sha256')
        .update(JSON.stringify([cwd, input.command]))
        .digest('hex'),
    };
  },

  async execute(plan, context) {
    if (plan.decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, plan.decision);
    context.signal?.throwIfAborted();
    const cwd = context.shell.cwd;
    const plannedCwd = plan.targets[0]!;
    if (cwd !== plannedCwd) throw new ShellFolderChangedError(plannedCwd, cwd);
    const decision = decideShell(context, plan.input.command, cwd, false);
    if (decision.decision === 'deny') throw new PolicyDeniedError(plan.tool, decision);
    const timeoutSeconds = plan.input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const result = await context.shell.exec(plan.input.command, {
      timeoutMs: timeoutSeconds * 1000,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    for (const violation of result.violations) {
      context.onSandboxViolation?.(violation, plan.input.command);
    }
    return {
      // Colours are for the terminal view; the model reads plain text.
      output: capOutput(stripTerminalCodes(result.output), result.droppedChars),
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      ...(result.violations.length > 0
        ? {
            sandboxBlocked: result.violations.map(
              (violation) =>
                `${violation.kind}${violation.path ? ` ${violation.path}` : ''}: blocked by the sandbox`,
            ),
          }
        : {}),
    };
  },
};
