// What the sandbox stopped, read from a command's output. On Linux the kernel says no in the
// command's own words — a blocked file "No such file or directory" (it is hidden), a write
// "Read-only file system", a connection "Connection refused" / "Network is unreachable" (the
// sandbox has no network but its proxy), mount/unshare "Operation not permitted" — and there
// is no violation log to ask (Seatbelt's is macOS only). So each sandboxed command's output is
// scanned for these, and what matches becomes an audit event: a trace of every attempt.
import fs from 'node:fs';
import path from 'node:path';

export type ViolationKind = 'read' | 'write' | 'network' | 'escape';

export interface SandboxViolation {
  kind: ViolationKind;
  /** The output line that says so. */
  line: string;
  /** The path involved, when the line names one (absolute, as the host sees it). */
  path?: string;
}

export interface ViolationContext {
  /** Folder relative paths in the output are resolved in. */
  cwd: string;
  /** Absolute, realpath'd blocked folders: a missing file under one was hidden by the sandbox. */
  blockedPaths: readonly string[];
}

/** Lines looked at per command: a flood of errors is reported by its first ones. */
const MAX_LINES = 2_000;
const MAX_VIOLATIONS = 20;

const WRITE = /Read-only file system/i;
/** A blocked file is hidden ("No such file") or, through /proc/<pid>/root, refused: a read. */
const MISSING = /No such file or directory|Permission denied/i;
/** The runtime's proxy refused a host: curl and friends may still exit 0 on its answer. */
const PROXY_REFUSED = /Connection blocked by network allowlist/i;
const NETWORK =
  /Connection refused|Network is unreachable|Could not resolve host|Couldn't connect to server|Failed to connect to|Temporary failure in name resolution|Connection blocked by network allowlist|Proxy CONNECT aborted|CONNECT tunnel failed/i;
const ESCAPE =
  /\b(?:mount|umount|unshare|nsenter|chroot|pivot_root|setns|capsh)\b.*(?:Operation not permitted|permission denied|not permitted)/i;

/** Path-like pieces of an error line: quoted ones first, then `prog: PATH: message` parts. */
function pathsIn(line: string): string[] {
  const found: string[] = [];
  for (const match of line.matchAll(/['‘"`]([^'’"`\n]+)['’"`]/g)) found.push(match[1]!);
  // `program: PATH: message` (cat, ls, bash…): the parts between the program and the message.
  const parts = line.split(/:\s+/);
  for (const part of parts.slice(1, -1)) {
    const candidate = part.trim().replace(/[,;]$/, '');
    if (candidate && !/\s/.test(candidate)) found.push(candidate);
  }
  return [...new Set(found)];
}

function under(file: string, folders: readonly string[]): boolean {
  return folders.some((folder) => file === folder || file.startsWith(folder + path.sep));
}

/** The host-side path a sandboxed path names: /proc/self/root prefixes dropped, links followed. */
function hostPaths(candidate: string, cwd: string): string[] {
  const stripped = candidate.replace(/^\/proc\/(?:self|thread-self|\d+)\/root(?=\/)/, '');
  const absolute = path.resolve(cwd, stripped);
  const paths = [absolute];
  try {
    paths.push(fs.realpathSync(absolute));
  } catch {
    // Missing on the host too, or through a link to a missing file: try its folder.
    try {
      const link = fs.readlinkSync(absolute);
      paths.push(path.resolve(path.dirname(absolute), link));
    } catch {
      // Not a link.
    }
  }
  return paths;
}

export function findSandboxViolations(
  output: string,
  context: ViolationContext,
  exitCode = 1,
): SandboxViolation[] {
  const violations: SandboxViolation[] = [];
  if (exitCode === 0) {
    // After a success only the proxy's refusal counts: a file that merely contains
    // "Read-only file system" is not an attempt.
    for (const raw of output.split('\n', MAX_LINES)) {
      if (violations.length >= MAX_VIOLATIONS) break;
      if (PROXY_REFUSED.test(raw)) violations.push({ kind: 'network', line: raw.trim() });
    }
    return violations;
  }
  const lines = output.split('\n', MAX_LINES);
  for (const raw of lines) {
    if (violations.length >= MAX_VIOLATIONS) break;
    const line = raw.trim();
    if (!line) continue;
    if (WRITE.test(line)) {
      const named = pathsIn(line)[0];
      violations.push({
        kind: 'write',
        line,
        ...(named ? { path: path.resolve(context.cwd, named) } : {}),
      });
      continue;
    }
    if (ESCAPE.test(line)) {
      violations.push({ kind: 'escape', line });
      continue;
    }
    if (MISSING.test(line)) {
      // Only a file that is missing because it is blocked: ordinary typos are not violations.
      const named = pathsIn(line).flatMap((candidate) => hostPaths(candidate, context.cwd));
      const blocked = named.find((candidate) => under(candidate, context.blockedPaths));
      if (blocked) {
        violations.push({ kind: 'read', line, path: blocked });
        continue;
      }
      // "Permission denied" anywhere else is the file's own mode, not the sandbox: its
      // refused writes say "Read-only file system" (above), including those to protected
      // files, and it mounts no placeholders that would answer a read with EACCES.
    }
    if (NETWORK.test(line)) violations.push({ kind: 'network', line });
  }
  return violations;
}
