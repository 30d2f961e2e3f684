// Judges a path the way the OS will open it, not as a string: "~" expanded, symlinks and
// symlink chains resolved (also for files that do not exist yet, through their nearest
// existing ancestor), "..", trailing slashes and /proc magic links followed, prefixes compared
// per component, blocked paths matched case-insensitively everywhere, and hardlinks to a
// blocked file caught by device + inode.
import fs from 'node:fs';
import path from 'node:path';
import { expandHome } from '../config/home.js';

export type PathVerdict =
  | { kind: 'allowed'; realPath: string; root: string; containsBlocked?: string }
  | { kind: 'blocked'; realPath: string; rule: string; reason: string }
  | { kind: 'outside'; realPath: string; reason: string }
  | { kind: 'invalid'; reason: string };

export interface PathGuardOptions {
  allowed: readonly string[];
  blocked: readonly string[];
  /** security.trusted_paths: the user's own files, whose content does not taint a task. */
  trusted?: readonly string[];
  homeDir: string;
  /** Always blocked: the agent must never edit its own config, audit log or limits. */
  omnipalmHome: string;
  platform?: NodeJS.Platform;
}

interface Rule {
  /** As configured, e.g. "~/.ssh". */
  configured: string;
  /** Every form the rule's folder can be reached by: as written, and its real path. */
  forms: string[];
  /** The same, case- and Unicode-folded. */
  foldedForms: string[];
}

const MAX_SYMLINK_HOPS = 40;
/**
 * Kernel-wide facts in /proc that hold nothing of any process (`cat /proc/cpuinfo`): not
 * blocked with the rest of /proc, whose /proc/<pid>/environ, mem and fd would leak secrets.
 * Matched by exact real path, so /proc/self/… and links into it stay blocked.
 */
const PROC_INFO = new Set(
  'cpuinfo meminfo loadavg uptime version stat vmstat diskstats partitions filesystems swaps'
    .split(' ')
    .map((name) => `/proc/${name}`),
);
const MAX_PATH_LENGTH = 4096;

/** File systems that fold case (and, on macOS, Unicode normalisation) by default. */
function foldsCase(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

function fold(value: string): string {
  return value.normalize('NFC').toLowerCase();
}

/** True when `child` is `parent` or inside it, compared per path component. */
export function isInside(child: string, parent: string, caseInsensitive: boolean): boolean {
  return isInsideExact(
    caseInsensitive ? fold(child) : child,
    caseInsensitive ? fold(parent) : parent,
  );
}

/** isInside for strings already folded (or deliberately not): no allocation on the hot path. */
function isInsideExact(child: string, parent: string): boolean {
  if (!child.startsWith(parent)) return false;
  return (
    child.length === parent.length || parent.endsWith(path.sep) || child[parent.length] === path.sep
  );
}

/** A path as the caller wrote it, quoted, shortened when long: what a denial names. */
export function quoted(input: string): string {
  const shown = input.length > 200 ? `${input.slice(0, 199)}…` : input;
  return JSON.stringify(shown);
}

/** The path as written, and where it really leads when a symlink takes it elsewhere. */
function named(input: string, written: string, realPath: string): string {
  return written === realPath ? quoted(input) : `${quoted(input)} (really ${realPath})`;
}

export class PathGuardError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Resolves `absolute` as the kernel would: realpath where it exists; otherwise walk from the
 * nearest existing ancestor, following each symlink, so a not-yet-existing file under a
 * symlinked folder is judged where it will really be created.
 */
export function resolveRealPath(absolute: string): { realPath: string; exists: boolean } {
  try {
    return { realPath: fs.realpathSync.native(absolute), exists: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new PathGuardError(`symlink loop at ${absolute}`, 'ELOOP');
    if (code !== 'ENOENT') {
      throw new PathGuardError(
        `cannot resolve ${absolute}: ${code ?? (error as Error).message}`,
        code ?? 'EUNKNOWN',
      );
    }
  }
  return { realPath: walkComponents(absolute), exists: false };
}

function walkComponents(absolute: string): string {
  const { root } = path.parse(absolute);
  const pending = absolute
    .slice(root.length)
    .split(path.sep)
    .filter((part) => part !== '' && part !== '.');
  let current = root;
  let hops = 0;
  // How many trailing components of `current` do not exist. Below a missing folder nothing can
  // be a symlink (yet), so they are appended as written; ".." climbing back out of them must
  // resume following symlinks (missing/../link/x is link/x).
  let missingDepth = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      current = path.dirname(current);
      if (missingDepth > 0) missingDepth--;
      continue;
    }
    const candidate = current === root ? root + part : `${current}${path.sep}${part}`;
    if (missingDepth > 0) {
      current = candidate;
      missingDepth++;
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(candidate);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        missingDepth = 1;
        current = candidate;
        continue;
      }
      throw new PathGuardError(`cannot resolve ${candidate}: ${code}`, code ?? 'EUNKNOWN');
    }
    if (stat.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS)
        throw new PathGuardError(`symlink loop at ${absolute}`, 'ELOOP');
      const target = fs.readlinkSync(candidate);
      const targetParts = target.split(path.sep).filter((piece) => piece !== '' && piece !== '.');
      if (path.isAbsolute(target)) current = path.parse(target).root;
      pending.unshift(...targetParts);
      continue;
    }
    if (!stat.isDirectory() && pending.length > 0) {
      throw new PathGuardError(`not a directory: ${candidate}`, 'ENOTDIR');
    }
    current = candidate;
  }
  return current;
}

export class PathGuard {
  private readonly allowed: Rule[];
  private readonly blocked: Rule[];
  private readonly trusted: Rule[];
  private readonly platform: NodeJS.Platform;
  private readonly caseInsensitive: boolean;

  constructor(private readonly options: PathGuardOptions) {
    this.platform = options.platform ?? process.platform;
    this.caseInsensitive = foldsCase(this.platform);
    this.allowed = options.allowed.map((configured) => this.rule(configured));
    const implicit = [options.omnipalmHome];
    // /proc/<pid>/environ, mem, fd… would leak this process's secrets and memory.
    if (this.platform === 'linux') implicit.push('/proc');
    this.blocked = [...options.blocked, ...implicit].map((configured) => this.rule(configured));
    this.trusted = (options.trusted ?? []).map((configured) => this.rule(configured));
  }

  /**
   * Whether the file at `input` is the user's own (inside security.trusted_paths), judged by
   * its real path like every rule: a symlink in a trusted folder pointing at a downloaded
   * file, or `trusted/../inbox.txt`, is judged where it really is. Anything that cannot be
   * resolved, or that is blocked, is not trusted (fail closed: untrusted only asks more).
   */
  isTrusted(input: string, cwd?: string): boolean {
    if (this.trusted.length === 0) return false;
    const verdict = this.judge(input, cwd);
    if (verdict.kind !== 'allowed' && verdict.kind !== 'outside') return false;
    const candidate = this.caseInsensitive ? fold(verdict.realPath) : verdict.realPath;
    return this.trusted.some((rule) =>
      (this.caseInsensitive ? rule.foldedForms : rule.forms).some((form) =>
        isInsideExact(candidate, form),
      ),
    );
  }

  private rule(configured: string): Rule {
    const raw = expandHome(configured, this.options.homeDir);
    const forms = new Set([path.resolve(raw)]);
    try {
      forms.add(resolveRealPath(raw).realPath);
    } catch {
      // A rule whose folder cannot be resolved still matches by its written form.
    }
    return { configured, forms: [...forms], foldedForms: [...forms].map(fold) };
  }

  /** The absolute, not yet normalised path: ".." must be applied after symlinks, by the OS. */
  private absolute(input: string, cwd: string | undefined): string {
    const expanded = expandHome(input, this.options.homeDir);
    if (path.isAbsolute(expanded)) return expanded;
    if (input.startsWith('~')) {
      throw new PathGuardError(
        'only ~ and ~/… are supported, not ~user, ~+, ~- or ~N (write the folder out)',
        'EINVAL',
      );
    }
    if (!cwd) {
      throw new PathGuardError(
        'it is relative and there is no working folder to resolve it in',
        'EINVAL',
      );
    }
    return `${cwd}${path.sep}${expanded}`;
  }

  private matchBlocked(realPath: string, written: string): Rule | undefined {
    // Blocked paths fold case on every platform: a case-insensitive mount on Linux, or a
    // user writing ~/.SSH, must not slip past ~/.ssh.
    const real = fold(realPath);
    const asWritten = fold(written);
    return this.blocked.find((rule) =>
      rule.foldedForms.some((form) => isInsideExact(real, form) || isInsideExact(asWritten, form)),
    );
  }

  /** The blocked rule a folder would take with it (deleting ~/projects takes ~/projects/secrets). */
  private blockedInside(realPath: string): Rule | undefined {
    const real = fold(realPath);
    return this.blocked.find((rule) => rule.foldedForms.some((form) => isInsideExact(form, real)));
  }

  judge(input: string, cwd?: string): PathVerdict {
    if (typeof input !== 'string' || input === '') {
      return { kind: 'invalid', reason: 'empty path "" (an empty word names no file)' };
    }
    if (input.length > MAX_PATH_LENGTH) {
      // Longer than PATH_MAX: no OS call could open it, and judging it would only cost time.
      return {
        kind: 'invalid',
        reason: `path ${quoted(input)} is longer than ${MAX_PATH_LENGTH} characters`,
      };
    }
    const control = /[\0\r\n]/.exec(input)?.[0];
    if (control !== undefined) {
      const which = control === '\0' ? 'NUL' : control === '\n' ? 'newline' : 'carriage return';
      return {
        kind: 'invalid',
        reason: `path ${quoted(input)} contains a NUL or newline character (a ${which}: it could hide text in a preview or log line)`,
      };
    }
    let realPath: string;
    let written: string | undefined;
    let exists: boolean;
    try {
      const absolute = this.absolute(input, cwd);
      written = path.resolve(absolute);
      ({ realPath, exists } = resolveRealPath(absolute));
    } catch (error) {
      // Not resolvable (no permission to look, a loop): where it is written still counts.
      const blocked = written === undefined ? undefined : this.matchBlocked(written, written);
      if (written !== undefined && blocked) {
        return {
          kind: 'blocked',
          realPath: written,
          rule: blocked.configured,
          reason: `${named(input, written, written)} is inside blocked path ${blocked.configured}`,
        };
      }
      return { kind: 'invalid', reason: `${quoted(input)}: ${(error as Error).message}` };
    }
    const blocked = this.matchBlocked(realPath, written);
    if (blocked && !(blocked.configured === '/proc' && PROC_INFO.has(realPath))) {
      return {
        kind: 'blocked',
        realPath,
        rule: blocked.configured,
        reason: `${named(input, written, realPath)} is inside blocked path ${blocked.configured}`,
      };
    }
    if (exists) {
      let stat: fs.Stats | undefined;
      try {
        stat = fs.statSync(realPath);
      } catch {
        // Gone since realpath: judged as the path it was.
      }
      const hardlink = stat && this.judgeStat(stat, realPath, input);
      if (hardlink) return hardlink;
    }
    const candidate = this.caseInsensitive ? fold(realPath) : realPath;
    const root = this.allowed.find((rule) =>
      (this.caseInsensitive ? rule.foldedForms : rule.forms).some((form) =>
        isInsideExact(candidate, form),
      ),
    );
    if (!root) {
      const allowed = this.allowed.map((rule) => rule.configured).join(', ') || 'none';
      return {
        kind: 'outside',
        realPath,
        reason: `${named(input, written, realPath)} is outside the allowed paths (${allowed})`,
      };
    }
    const inside = this.blockedInside(realPath);
    return inside
      ? { kind: 'allowed', realPath, root: root.configured, containsBlocked: inside.configured }
      : { kind: 'allowed', realPath, root: root.configured };
  }

  /**
   * A blocked verdict when the file is a second name (hardlink) of a file under a blocked
   * path, judged by device + inode; used on paths and on opened descriptors (openChecked).
   */
  judgeStat(stat: fs.Stats, realPath: string, input: string = realPath): PathVerdict | undefined {
    // Only a file with more than one name can be a second name for a blocked file.
    if (!stat.isFile() || stat.nlink < 2) return undefined;
    const hardlink = this.findBlockedInode(stat.dev, stat.ino);
    if (!hardlink) return undefined;
    return {
      kind: 'blocked',
      realPath,
      rule: hardlink.rule.configured,
      reason: `${quoted(input)} is a hardlink to ${hardlink.file}, inside blocked path ${hardlink.rule.configured}`,
    };
  }

  private findBlockedInode(dev: number, ino: number): { rule: Rule; file: string } | undefined {
    for (const rule of this.blocked) {
      if (rule.configured === '/proc') continue;
      for (const form of new Set(rule.forms)) {
        const budget = { remaining: 20_000 };
        const file = findInode(form, dev, ino, 8, budget);
        if (file) return { rule, file };
        // Fail closed: a blocked tree too large to search cannot rule the hardlink out.
        if (budget.remaining < 0) return { rule, file: `(a file in ${form} too large to search)` };
      }
    }
    return undefined;
  }
}

function findInode(
  folder: string,
  dev: number,
  ino: number,
  depth: number,
  budget: { remaining: number },
): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(folder);
  } catch {
    return undefined;
  }
  if (stat.dev === dev && stat.ino === ino) return folder;
  if (!stat.isDirectory() || depth === 0) return undefined;
  let entries: string[];
  try {
    entries = fs.readdirSync(folder);
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (--budget.remaining < 0) return undefined;
    const found = findInode(path.join(folder, entry), dev, ino, depth - 1, budget);
    if (found) return found;
  }
  return undefined;
}
