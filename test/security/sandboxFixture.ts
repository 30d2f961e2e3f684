// What the sandbox tests share: a temp tree with an allowed work folder, a blocked folder
// holding a unique secret, and a folder outside both; a loopback server that counts the
// connections it gets; and readers for this process's descendants and open descriptors.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ShellSandbox, type ShellSandboxSettings } from '../../src-main/tools/shell/sandbox.js';
import { makeTempFolder } from '../support/tempFolders.js';

export interface SandboxTree {
  root: string;
  /** The one allowed folder (a git repository, realpath). */
  work: string;
  /** The blocked folder. */
  blocked: string;
  /** A folder neither allowed nor blocked: readable, not writable. */
  outside: string;
  /** The file under blocked holding SECRET. */
  secretFile: string;
  /** A unique random string: it must never come out of the sandbox. */
  secret: string;
}

export function makeSandboxTree(): SandboxTree {
  const root = makeTempFolder('omnipalm-sandbox-');
  const work = path.join(root, 'work');
  const blocked = path.join(root, 'blocked');
  const outside = path.join(root, 'outside');
  for (const folder of [work, blocked, outside]) fs.mkdirSync(folder);
  const secret = `sandbox-secret-${randomBytes(12).toString('hex')}`;
  const secretFile = path.join(blocked, 'secret.txt');
  fs.writeFileSync(secretFile, `${secret}\n`);
  fs.writeFileSync(path.join(outside, 'existing.txt'), 'unchanged\n');
  // A real repository made before any session starts, so its hooks exist to be attacked.
  execFileSync('git', ['init', '--quiet', work]);
  return { root, work, blocked, outside, secretFile, secret };
}

export function settingsFor(
  tree: SandboxTree,
  overrides: Partial<ShellSandboxSettings> = {},
): ShellSandboxSettings {
  return {
    mode: 'required',
    allowedPaths: [tree.work],
    blockedPaths: [tree.blocked],
    readOnly: false,
    networkEnabled: false,
    allowedHosts: [],
    // Planted start-up files are moved here, inside the test's temp tree (removed with it).
    quarantineFolder: path.join(tree.root, 'refused'),
    ...overrides,
  };
}

export function prepareSandbox(
  tree: SandboxTree,
  overrides: Partial<ShellSandboxSettings> = {},
): Promise<ShellSandbox> {
  return ShellSandbox.prepare(settingsFor(tree, overrides));
}

export interface LoopbackServer {
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (a port the kernel picks) that counts every connection. */
export async function startLoopbackServer(body: string): Promise<LoopbackServer> {
  let connections = 0;
  const server = http.createServer((_request, response) => response.end(body));
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ProcessEntry {
  pid: number;
  name: string;
}

/** Every live process whose ancestry leads to `ancestor` (this process by default). */
export function descendantsOf(ancestor = process.pid): ProcessEntry[] {
  const parents = new Map<number, { ppid: number; name: string }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // `pid (name) state ppid …`: the name may hold spaces and parentheses.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      // A zombie has exited: it holds no resources but a table slot, and is reaped soon.
      if (stat.slice(close + 2).startsWith('Z')) continue;
      parents.set(Number(entry), { ppid, name });
    } catch {
      // Exited while being read.
    }
  }
  const found: ProcessEntry[] = [];
  for (const [pid, { name }] of parents) {
    for (let up = parents.get(pid)?.ppid; up !== undefined && up > 1;) {
      if (up === ancestor) {
        found.push({ pid, name });
        break;
      }
      up = parents.get(up)?.ppid;
    }
  }
  return found;
}

/** The sandbox's own processes among this process's descendants (not esbuild, not vitest's). */
export function sandboxProcesses(): ProcessEntry[] {
  return descendantsOf().filter(({ name }) =>
    ['bwrap', 'bash', 'socat', 'apply-seccomp'].includes(name),
  );
}

export function openDescriptorCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}
