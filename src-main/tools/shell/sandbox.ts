// The shell's OS sandbox: @anthropic-ai/sandbox-runtime (bubblewrap on Linux, Seatbelt on
// macOS) wraps the session's ONE bash, once, when the session starts — every command after
// that runs inside it and pays nothing extra (DESIGN.md §6). The rules come from the policy:
//   - blocked_paths (and OmniPalm's own folder) unreadable;
//   - writes only to allowed_paths (none in read_only mode) and the sandbox's scratch folder
//     (TMPDIR); shell start-up files, editor/agent settings and git hooks/config in them stay
//     read-only (bound read-only when present, watched by a StartupFileGuard when not);
//   - network only to the hosts of configured integrations, none when the network is off.
// The policy still classifies each command first; the sandbox is the boundary when that
// classification misses (`cat ~/.ssh/id_rsa` spelled in a way no parser foresaw).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { SandboxRuntimeConfig } from '@anthropic-ai/sandbox-runtime';
import { expandHome } from '../../config/home.js';
import type { OmniPalmConfig } from '../../config/schema.js';
import { integrationHosts } from '../../policy/networkRules.js';
import { probeSandbox } from '../../policy/sandboxProbe.js';
import type { ShellLauncher } from './shellSession.js';
import { StartupFileGuard } from './startupFileGuard.js';

export type SandboxMode = OmniPalmConfig['security']['sandbox'];

export interface ShellSandboxSettings {
  mode: SandboxMode;
  /** The user's home folder (realpath'd): its start-up files are protected when writable. */
  homeDir?: string;
  /** Absolute paths (~ expanded). */
  allowedPaths: string[];
  blockedPaths: string[];
  readOnly: boolean;
  networkEnabled: boolean;
  /** Host names the shell may reach (ports dropped: the proxy filters by name). */
  allowedHosts: string[];
  /**
   * Where start-up files planted from the sandbox are moved (StartupFileGuard): inside
   * $OMNIPALM_HOME, which the agent can never read back. Default: a folder in the temp dir.
   */
  quarantineFolder?: string;
}

export interface SandboxStatus {
  /** True when sessions run inside the sandbox. */
  sandboxed: boolean;
  mode: SandboxMode;
  /** What runs, in one line (for doctor, the UI and the audit log). */
  detail: string;
  /** Set when sessions run unsandboxed although the user did not switch it off. */
  warning?: string;
}

/** `security.sandbox: required` and no sandbox here: the shell refuses to start. */
export class SandboxUnavailableError extends Error {
  constructor(detail: string, fix: string | undefined) {
    super(
      `security.sandbox is "required" but no OS sandbox can run here (${detail})${fix ? `; fix: ${fix}` : ''}. ` +
        'Shell commands are refused until it works (or set security.sandbox to auto to run them unsandboxed with a warning).',
    );
    this.name = 'SandboxUnavailableError';
  }
}

function realOrSame(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

export function sandboxSettingsFromConfig(
  config: OmniPalmConfig,
  where: { homeDir: string; omnipalmHome: string },
): ShellSandboxSettings {
  const { security, integrations } = config;
  const expand = (entry: string) => realOrSame(expandHome(entry, where.homeDir));
  const hosts = [...integrations.network.allowed_hosts, ...integrationHosts(integrations)];
  return {
    mode: security.sandbox,
    homeDir: realOrSame(where.homeDir),
    allowedPaths: security.allowed_paths.map(expand),
    // OmniPalm's own folder (config, audit log, rate limits) is not the agent's to read.
    blockedPaths: [
      ...new Set([...security.blocked_paths.map(expand), realOrSame(where.omnipalmHome)]),
    ],
    readOnly: security.read_only,
    quarantineFolder: path.join(realOrSame(where.omnipalmHome), 'refused'),
    networkEnabled: integrations.network.enabled,
    allowedHosts: integrations.network.enabled
      ? [...new Set(hosts.map((host) => host.replace(/:\d+$/, '').toLowerCase()))]
      : [],
  };
}

/**
 * Files that run code or change tools when the user next opens a shell or runs git: never
 * writable from the sandbox, wherever they sit in a writable folder. (The runtime protects
 * them only relative to the Node process's own working folder.)
 */
export const PROTECTED_FILES = [
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.profile',
  '.zshrc',
  '.zshenv',
  '.zprofile',
  '.inputrc',
  '.gitconfig',
  '.gitmodules',
  '.ripgreprc',
  '.mcp.json',
  '.vscode',
  '.idea',
  '.claude/commands',
  '.claude/agents',
];
/** How deep below an allowed folder repositories are looked for. */
const REPOSITORY_SEARCH_DEPTH = 8;
const SCAN_TIMEOUT_MS = 15_000;

function isUnder(file: string, folders: readonly string[]): boolean {
  return folders.some((folder) => file === folder || file.startsWith(folder + path.sep));
}

/** The repositories (folders holding .git/HEAD) in and below the given folders. */
function repositoriesIn(roots: readonly string[]): string[] {
  if (roots.length === 0) return [];
  const found = spawnSync(
    'rg',
    [
      '--files',
      '--hidden',
      '--no-ignore',
      '--no-messages',
      '--max-depth',
      String(REPOSITORY_SEARCH_DEPTH),
      '-g',
      '**/.git/HEAD',
      ...roots,
    ],
    { encoding: 'utf8', timeout: SCAN_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
  );
  const listed = found.error ? [] : found.stdout.split('\n').filter(Boolean);
  // Without ripgrep, at least the allowed folders themselves.
  const repositories = new Set(listed.map((head) => path.dirname(path.dirname(head))));
  for (const root of roots)
    if (fs.existsSync(path.join(root, '.git', 'HEAD'))) repositories.add(root);
  return [...repositories];
}

/**
 * What must stay read-only inside the writable folders: start-up files and git hooks, there
 * or not. Those on disk are bound read-only; the others are watched by a StartupFileGuard
 * (see startupFileGuard.ts for why no placeholder is mounted for them, and what that costs).
 */
export function protectedPaths(settings: ShellSandboxSettings): string[] {
  if (settings.readOnly) return [];
  const roots = [...settings.allowedPaths];
  if (settings.homeDir && isUnder(settings.homeDir, settings.allowedPaths)) {
    roots.push(settings.homeDir);
  }
  const paths = roots.flatMap((root) => PROTECTED_FILES.map((name) => path.join(root, name)));
  for (const repository of repositoriesIn(settings.allowedPaths)) {
    paths.push(
      path.join(repository, '.git', 'hooks'),
      path.join(repository, '.git', 'config'),
      path.join(repository, '.gitmodules'),
    );
  }
  return [...new Set(paths)];
}

/** Protected paths split by whether they are on disk now (lstat: a dangling link is there). */
export function protectedPathsByPresence(settings: ShellSandboxSettings): {
  present: string[];
  absent: string[];
} {
  const present: string[] = [];
  const absent: string[] = [];
  for (const file of protectedPaths(settings)) {
    try {
      fs.lstatSync(file);
      present.push(file);
    } catch {
      absent.push(file);
    }
  }
  return { present, absent };
}

/**
 * Hardlinks, in the allowed folders, to files under blocked paths: the same file under
 * another name would walk around a blocked path. Only looked for when some blocked file has
 * more than one link (rarely), so the usual cost is a walk of the (small) blocked folders.
 */
export function hardlinksToBlocked(settings: ShellSandboxSettings): string[] {
  const linked = new Set<string>();
  let budget = 20_000;
  const visit = (file: string, depth: number) => {
    if (budget-- <= 0) return;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      return;
    }
    if (stat.isFile() && stat.nlink > 1) linked.add(`${stat.dev}:${stat.ino}`);
    if (!stat.isDirectory() || depth > 8) return;
    let names: string[];
    try {
      names = fs.readdirSync(file);
    } catch {
      return;
    }
    for (const name of names) visit(path.join(file, name), depth + 1);
  };
  for (const blocked of settings.blockedPaths) visit(blocked, 0);
  if (linked.size === 0 || settings.allowedPaths.length === 0) return [];
  const found = spawnSync(
    'find',
    [...settings.allowedPaths, '-xdev', '-type', 'f', '-links', '+1', '-print0'],
    { encoding: 'utf8', timeout: SCAN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
  );
  return (found.stdout ?? '')
    .split('\0')
    .filter(Boolean)
    .filter((file) => {
      if (isUnder(file, settings.blockedPaths)) return false;
      try {
        const stat = fs.lstatSync(file);
        return linked.has(`${stat.dev}:${stat.ino}`);
      } catch {
        return false;
      }
    });
}

/** The runtime's configuration for these settings. */
export function runtimeConfigOf(
  settings: ShellSandboxSettings,
  protectedOnDisk = protectedPathsByPresence(settings).present,
): SandboxRuntimeConfig {
  const blocked = [...settings.blockedPaths, ...hardlinksToBlocked(settings)];
  return {
    network: { allowedDomains: settings.allowedHosts, deniedDomains: [] },
    filesystem: {
      denyRead: blocked,
      allowWrite: settings.readOnly ? [] : settings.allowedPaths,
      // Blocked beats allowed for writes too (a blocked folder inside an allowed one). Only
      // what is on disk: the runtime mounts a visible placeholder for a missing path.
      denyWrite: [...blocked, ...protectedOnDisk],
    },
  };
}

/** The runtime's scratch folder (its TMPDIR inside the sandbox) must exist on the host. */
const SANDBOX_TMPDIR = '/tmp/claude';

/**
 * The runtime adds write denies of its own for start-up files in and below Node's working
 * folder, and mounts a visible placeholder for each that is missing; when Node runs in a
 * workspace (`omnipalm run` from a project) that litters it like the denies we now leave out.
 * So wraps run with Node in an empty private folder (ours cover the allowed folders).
 * process.chdir is process-wide: wraps are serialized, and no OmniPalm code resolves a
 * relative path against the working folder while a wrap awaits (worker threads cannot
 * chdir: there the runtime's own denies stay).
 */
let neutralFolder: string | undefined;
let wraps: Promise<unknown> = Promise.resolve();

async function inNeutralFolder<T>(work: () => Promise<T>): Promise<T> {
  const run = async () => {
    if (!isMainThread) return work();
    neutralFolder ??= fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-sandbox-wrap-'));
    const previous = process.cwd();
    process.chdir(neutralFolder);
    try {
      return await work();
    } finally {
      process.chdir(previous);
    }
  };
  const result = wraps.then(run, run);
  wraps = result.catch(() => undefined);
  return result;
}

type Manager = (typeof import('@anthropic-ai/sandbox-runtime'))['SandboxManager'];

/**
 * The runtime's manager is one per process (its proxies serve every session). It is set up
 * for one configuration at a time; a changed configuration replaces it for new sessions.
 */
let active: { key: string; ready: Promise<Manager> } | undefined;

async function managerFor(config: SandboxRuntimeConfig): Promise<Manager> {
  const key = JSON.stringify(config);
  if (active?.key === key) return active.ready;
  const previous = active?.ready;
  const ready = (async () => {
    const { SandboxManager } = await import('@anthropic-ai/sandbox-runtime');
    if (previous) {
      await previous.catch(() => undefined);
      await SandboxManager.reset();
    }
    await SandboxManager.initialize(config);
    return SandboxManager;
  })();
  active = { key, ready };
  ready.catch(() => {
    if (active?.ready === ready) active = undefined;
  });
  return ready;
}

/** Stops the runtime's proxies (at shutdown; a later session starts them again). */
export async function resetSandboxRuntime(): Promise<void> {
  const current = active;
  active = undefined;
  if (!current) return;
  const manager = await current.ready.catch(() => undefined);
  await manager?.reset();
  if (neutralFolder) {
    // The runtime has removed what it mounted there; anything else keeps the folder.
    try {
      fs.rmdirSync(neutralFolder);
    } catch {
      // Not empty or already gone.
    }
    neutralFolder = undefined;
  }
}

/** Whether a sandbox can run here, by the runtime's own checks and a real bwrap start. */
export async function sandboxAvailability(): Promise<{
  available: boolean;
  detail: string;
  fix?: string;
}> {
  const probe = probeSandbox();
  if (!probe.available) {
    return { available: false, detail: probe.detail, ...(probe.fix ? { fix: probe.fix } : {}) };
  }
  try {
    const { SandboxManager } = await import('@anthropic-ai/sandbox-runtime');
    if (!SandboxManager.isSupportedPlatform()) {
      return {
        available: false,
        detail: `the sandbox runtime does not support ${process.platform}`,
      };
    }
    const check = SandboxManager.checkDependencies();
    if (check.errors.length > 0) {
      return {
        available: false,
        detail: check.errors.join('; '),
        fix: 'sudo apt-get install bubblewrap socat ripgrep',
      };
    }
  } catch (error) {
    return {
      available: false,
      detail: `the sandbox runtime could not load: ${(error as Error).message}`,
      fix: 'npm install (the @anthropic-ai/sandbox-runtime package)',
    };
  }
  return { available: true, detail: `${probe.detail}; @anthropic-ai/sandbox-runtime ready` };
}

/** What shell sessions run in, for these settings: a launcher, or none (with the reason). */
export class ShellSandbox {
  private constructor(
    readonly status: SandboxStatus,
    private readonly config: SandboxRuntimeConfig | undefined,
    private readonly settings?: ShellSandboxSettings,
  ) {}

  static async prepare(settings: ShellSandboxSettings): Promise<ShellSandbox> {
    if (settings.mode === 'off') {
      return new ShellSandbox(
        {
          sandboxed: false,
          mode: 'off',
          detail: 'shell sessions run unsandboxed (security.sandbox is off)',
          warning:
            'the shell sandbox is switched off: only the policy stands between a command and your files (omnipalm config set security.sandbox auto)',
        },
        undefined,
      );
    }
    const availability = await sandboxAvailability();
    if (!availability.available) {
      if (settings.mode === 'required') {
        throw new SandboxUnavailableError(availability.detail, availability.fix);
      }
      return new ShellSandbox(
        {
          sandboxed: false,
          mode: 'auto',
          detail: `shell sessions run unsandboxed: ${availability.detail}`,
          warning: `no OS sandbox here (${availability.detail}), so shell commands run unsandboxed${availability.fix ? `; fix: ${availability.fix}` : ''}`,
        },
        undefined,
      );
    }
    const config = runtimeConfigOf(settings);
    return new ShellSandbox(
      {
        sandboxed: true,
        mode: settings.mode,
        detail: `shell sessions run sandboxed (${availability.detail}); writable: ${
          settings.readOnly ? 'nothing (read-only mode)' : settings.allowedPaths.join(', ')
        }; network: ${settings.allowedHosts.length > 0 ? settings.allowedHosts.join(', ') : 'none'}`,
      },
      config,
      settings,
    );
  }

  /** Wraps a session's shell in the sandbox; undefined when sessions run unsandboxed. */
  launcher(): ShellLauncher | undefined {
    const { config, settings } = this;
    if (!config || !settings) return undefined;
    const strings = (entries: readonly unknown[]) =>
      entries.filter((entry): entry is string => typeof entry === 'string');
    const blocked = strings(config.filesystem.denyRead);
    return {
      sandboxed: true,
      blockedPaths: blocked,
      allowedPaths: strings(config.filesystem.allowWrite),
      async wrap(shellCommand) {
        if (process.platform === 'linux') {
          fs.mkdirSync(SANDBOX_TMPDIR, { recursive: true, mode: 0o700 });
        }
        const manager = await managerFor(config);
        // Looked at now, not when the sandbox was prepared: a start-up file made since then
        // is bound, and one removed since is guarded instead of given a placeholder.
        const { present, absent } = protectedPathsByPresence(settings);
        const wrapped = await inNeutralFolder(() =>
          manager.wrapWithSandbox(shellCommand, '/bin/bash', {
            filesystem: { ...config.filesystem, denyWrite: [...blocked, ...present] },
          }),
        );
        return {
          file: '/bin/bash',
          args: ['-c', wrapped],
          guard: new StartupFileGuard(absent, settings.quarantineFolder),
        };
      },
    };
  }
}
