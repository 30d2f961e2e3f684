// What a `omnipalm run` scenario needs: a private OMNIPALM_HOME with a config, a work folder
// that is the one allowed path, the scripted model server, and ways to run the real CLI —
// piped (non-interactive) or inside a real pseudo-terminal where a test types the answers.
import fs from 'node:fs';
import path from 'node:path';
import pty from 'node-pty';
import { stringify } from 'yaml';
import { BUILT_CLI } from '../../support/buildCli.js';
import { cleanEnv, REPO_ROOT, runCli, type CliResult } from '../../support/runCli.js';
import {
  startScriptedModelServer,
  type ScriptedModelServer,
  type ScriptedReply,
} from '../../support/scriptedModelServer.js';
import { makeTempFolder } from '../../support/tempFolders.js';

export interface RunFixture {
  home: string;
  /** The allowed work folder (realpath). */
  work: string;
  /** A folder inside work that is blocked. */
  secret: string;
  /** The child's HOME (not the real one): holds .ssh/id_rsa with a fake key. */
  userHome: string;
  server: ScriptedModelServer;
  env: NodeJS.ProcessEnv;
  /** Writes a file under work and returns its path. */
  file(relative: string, content: string, ageDays?: number): string;
  /** The audit log's lines. */
  auditLines(): string[];
  close(): Promise<void>;
}

export const TEST_API_KEY = 'sk-ant-test-0123456789abcdefghij';

export async function makeRunFixture(
  script: ScriptedReply[],
  config: (work: string) => Record<string, unknown> = () => ({}),
): Promise<RunFixture> {
  const root = makeTempFolder('omnipalm-run-');
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  const secret = path.join(work, 'secret');
  fs.mkdirSync(home, { mode: 0o700 });
  fs.mkdirSync(secret, { recursive: true });
  const userHome = path.join(root, 'user');
  fs.mkdirSync(path.join(userHome, '.ssh'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(
    path.join(userHome, '.ssh', 'id_rsa'),
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${'fakekeymaterial'.repeat(4)}\n-----END OPENSSH PRIVATE KEY-----\n`,
    { mode: 0o600 },
  );
  const own = config(work);
  const security = (own.security ?? {}) as Record<string, unknown>;
  const full = {
    ...own,
    security: { allowed_paths: [work], blocked_paths: [secret, '~/.ssh'], ...security },
  };
  fs.writeFileSync(path.join(home, 'config.yaml'), stringify(full), { mode: 0o600 });
  const server = await startScriptedModelServer(script);
  const env = {
    HOME: userHome,
    OMNIPALM_LLM_API_KEY: TEST_API_KEY,
    OMNIPALM_LLM_BASE_URL: server.baseURL,
    OMNIPALM_ALLOW_ROOT: '1',
  };
  return {
    home,
    work,
    secret,
    userHome,
    server,
    env,
    file(relative, content, ageDays) {
      const file = path.join(work, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      if (ageDays !== undefined) {
        const when = new Date(Date.now() - ageDays * 24 * 3600 * 1000);
        fs.utimesSync(file, when, when);
      }
      return file;
    },
    auditLines() {
      const file = path.join(home, 'logs', 'audit.log');
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    },
    close: () => server.close(),
  };
}

/** `omnipalm run …` with stdin a pipe (so no terminal: confirmations are denied). */
export function runPiped(fixture: RunFixture, args: string[]): Promise<CliResult> {
  return runCli(['run', ...args], { home: fixture.home, env: fixture.env });
}

export interface PtyRun {
  /**
   * Resolves once the terminal output (ANSI codes removed) matches; rejects on exit first.
   * With `since` (an earlier `output().length`), only the output after that point counts.
   */
  waitFor(pattern: RegExp, since?: number): Promise<string>;
  type(text: string): void;
  output(): string;
  exit: Promise<number>;
  /** Ends the child (SIGKILL) if it still runs: cleanup after a failed test. */
  kill(): void;
}

// eslint-disable-next-line no-control-regex -- terminal escape sequences are what it removes
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

/** `omnipalm run …` (or another command) in a real pseudo-terminal, as a user runs it. */
export function runInTerminal(fixture: RunFixture, args: string[], command = 'run'): PtyRun {
  const child = pty.spawn(process.execPath, [BUILT_CLI, command, ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(fixture.home, fixture.env) as Record<string, string>,
    cols: 200,
    rows: 50,
  });
  let raw = '';
  const waiters: {
    pattern: RegExp;
    since: number;
    resolve: (text: string) => void;
    reject: (e: Error) => void;
  }[] = [];
  const clean = () => raw.replace(ANSI, '');
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(clean().slice(waiter.since))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(clean());
      }
    }
  };
  child.onData((data) => {
    raw += data;
    check();
  });
  let exited = false;
  const exit = new Promise<number>((resolve) => {
    child.onExit(({ exitCode }) => {
      exited = true;
      for (const waiter of waiters.splice(0)) {
        waiter.reject(new Error(`exited (${exitCode}) before ${waiter.pattern}:\n${clean()}`));
      }
      resolve(exitCode);
    });
  });
  return {
    waitFor(pattern, since = 0) {
      return new Promise((resolve, reject) => {
        const waiter = { pattern, since, resolve, reject };
        waiters.push(waiter);
        check();
        // Already exited without a match: it never will.
        if (exited && waiters.includes(waiter)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`exited before ${pattern}:\n${clean()}`));
        }
      });
    },
    type: (text) => child.write(text),
    output: clean,
    exit,
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
  };
}
