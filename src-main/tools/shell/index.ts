// The shell tool and the per-task session it runs in.
export {
  capOutput,
  shellExec,
  ShellFolderChangedError,
  type ShellExecInput,
  type ShellExecResult,
  type ShellTool,
  type ShellToolContext,
} from './exec.js';
export {
  quoteForBash,
  ShellSession,
  type ShellLauncher,
  type ExecOptions,
  type ExecResult,
  type ShellDataListener,
  type ShellSessionOptions,
} from './shellSession.js';
export {
  resetSandboxRuntime,
  runtimeConfigOf,
  sandboxAvailability,
  sandboxSettingsFromConfig,
  ShellSandbox,
  SandboxUnavailableError,
  type SandboxMode,
  type SandboxStatus,
  type ShellSandboxSettings,
} from './sandbox.js';
export {
  findSandboxViolations,
  type SandboxViolation,
  type ViolationKind,
} from './sandboxViolations.js';
