// Killing a session's shell means killing everything it started, sandbox included. The pty's
// process is bwrap, which forks the sandbox's own init into new namespaces and a new session
// (--new-session): neither a signal to the pty's process group nor the pty's hangup reaches
// it. bwrap's --die-with-parent normally takes it down with its parent, but that is set inside
// the child during its set-up, and cleared by the credential changes of entering a user
// namespace until bwrap sets it again: a shell killed while its sandbox still starts (a task
// stopped during the warm start) left the sandbox's init and its socat bridges running,
// reparented to init, for good. So the whole tree is stopped, listed and killed.
import fs from 'node:fs';

/** Each process's parent, from /proc (Linux); empty where there is no /proc. */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return parentOf;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // Gone meanwhile.
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parentOf.set(Number(entry), Number(fields[1]));
  }
  return parentOf;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/**
 * SIGKILL to `root` and all its descendants. Each is stopped first, so none can fork a child
 * that the listing misses between being listed and being killed; the listing repeats until
 * it finds nothing new. Without /proc (macOS), only `root` (Seatbelt's sandbox-exec execs the
 * shell: there is no tree of its own to leave behind).
 */
export function killProcessTree(root: number): void {
  signal(root, 'SIGSTOP');
  const found = new Set<number>([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents()) {
      if (found.has(parent) && !found.has(pid)) {
        signal(pid, 'SIGSTOP');
        found.add(pid);
        grew = true;
      }
    }
  }
  for (const pid of found) signal(pid, 'SIGKILL');
}
