// Where a stdio MCP server runs: inside the OS sandbox with the shell's file rules (blocked
// paths hidden, writes only inside allowed paths), and network only to that server's own
// hosts. A server is a third party's program that we start with the user's rights: without
// the sandbox, a filesystem server configured with `/` as its root would read ~/.ssh for any
// model that asks, whatever the policy says.
//
// Each server gets its own sandbox-runtime process (its `srt` command): the runtime's
// network filter is one per process and filters by that process's allow-list, so sharing the
// shell's runtime would give every server the shell's hosts (and changing it for a server
// would restart the shell's proxy under running sessions). One extra Node process per
// long-lived server is the price of a per-server network rule.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  runtimeConfigOf,
  sandboxAvailability,
  type ShellSandboxSettings,
} from '../shell/sandbox.js';

/** What starts a stdio server: the program, its arguments, folder and (resolved) environment. */
export interface McpServerLaunch {
  command: string;
  args: string[];
  cwd?: string | undefined;
  env: Record<string, string>;
}

export interface PreparedLaunch {
  launch: McpServerLaunch;
  /** Removes what preparing made (the sandbox's settings file); after the server stopped. */
  dispose(): void;
}

export interface McpLauncher {
  /** False only when security.sandbox is off: then servers run as the user, with a warning. */
  readonly sandboxed: boolean;
  /** Set when servers run unsandboxed (for doctor, the UI and the audit log). */
  readonly warning?: string;
  /** The launch that runs `launch` in the sandbox, reaching only `hosts` on the network. */
  prepare(launch: McpServerLaunch, hosts: readonly string[]): Promise<PreparedLaunch>;
}

/** The sandbox refused to start, or cannot run here: no server starts. */
export class McpSandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpSandboxError';
  }
}

/** The runtime's scratch folder (its TMPDIR inside the sandbox) must exist on the host. */
const SANDBOX_TMPDIR = '/tmp/claude';

/**
 * The Node that runs the sandbox runtime's CLI. Under plain Node, this process's own. The
 * packaged Electron app cannot run its binary as Node (the runAsNode fuse is off, on
 * purpose), so there it is the first `node` on PATH — stdio MCP servers are nearly always
 * Node programs started by npx, which need it anyway. Undefined when there is none.
 */
export function runtimeNode(
  versions: NodeJS.ProcessVersions = process.versions,
  pathVariable = process.env.PATH ?? '',
): string | undefined {
  if (versions.electron === undefined) return process.execPath;
  const executable = process.platform === 'win32' ? 'node.exe' : 'node';
  for (const folder of pathVariable.split(path.delimiter)) {
    if (!folder) continue;
    const candidate = path.join(folder, executable);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; the next folder.
    }
  }
  return undefined;
}

function runtimeCli(): string {
  const entry = createRequire(import.meta.url).resolve('@anthropic-ai/sandbox-runtime');
  return path.join(path.dirname(entry), 'cli.js');
}

/** Quoted for bash: the runtime's `-c` runs a command line, not an argument vector. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function hostNames(hosts: readonly string[]): string[] {
  return [...new Set(hosts.map((host) => host.replace(/:\d+$/, '').toLowerCase()))];
}

/**
 * The launcher for these file rules (the shell's settings: allowed/blocked paths, read_only,
 * mode). `security.sandbox: off` runs servers unsandboxed with a warning; otherwise a server
 * runs sandboxed or not at all — also in `auto`, where the shell would fall back: a server is
 * a program nobody reviewed, not the user's own commands.
 */
export async function createMcpLauncher(settings: ShellSandboxSettings): Promise<McpLauncher> {
  if (settings.mode === 'off') {
    return {
      sandboxed: false,
      warning:
        'MCP servers run unsandboxed (security.sandbox is off): they can read and write whatever you can (omnipalm config set security.sandbox auto)',
      prepare: (launch) => Promise.resolve({ launch, dispose: () => undefined }),
    };
  }
  const availability = await sandboxAvailability();
  if (!availability.available) {
    const reason = new McpSandboxError(
      `MCP servers need the OS sandbox, which cannot run here (${availability.detail})${availability.fix ? `; fix: ${availability.fix}` : ''}; or set security.sandbox to off to run them unsandboxed`,
    );
    return { sandboxed: true, prepare: () => Promise.reject(reason) };
  }
  const cli = runtimeCli();
  const node = runtimeNode();
  if (node === undefined) {
    const reason = new McpSandboxError(
      'MCP servers run in the OS sandbox through Node.js, and no node is on PATH; install Node.js 20 or later (most MCP servers need it anyway), or set security.sandbox to off to run them unsandboxed',
    );
    return { sandboxed: true, prepare: () => Promise.reject(reason) };
  }
  return {
    sandboxed: true,
    prepare(launch, hosts) {
      const config = runtimeConfigOf({ ...settings, allowedHosts: hostNames(hosts) });
      if (process.platform === 'linux') {
        fs.mkdirSync(SANDBOX_TMPDIR, { recursive: true, mode: 0o700 });
      }
      // The runtime's own process works in an empty private folder: it protects start-up
      // files relative to its working folder and mounts placeholders there for missing ones.
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'omnipalm-mcp-'));
      const settingsFile = path.join(folder, 'sandbox.json');
      fs.writeFileSync(settingsFile, JSON.stringify(config), { mode: 0o600 });
      const line = [launch.command, ...launch.args].map(shellQuote).join(' ');
      const script = launch.cwd ? `cd ${shellQuote(launch.cwd)} && exec ${line}` : `exec ${line}`;
      return Promise.resolve({
        launch: {
          command: node,
          args: [cli, '--settings', settingsFile, '-c', script],
          cwd: folder,
          env: launch.env,
        },
        dispose: () => fs.rmSync(folder, { recursive: true, force: true }),
      });
    },
  };
}
