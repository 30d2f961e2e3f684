// `omnipalm start --headless` as a real child process: resolves once it prints the URL to open
// (port and token parsed from it); stop() sends SIGTERM as a service manager would.
import { spawn } from 'node:child_process';
import { BUILT_CLI } from './buildCli.js';
import { cleanEnv, REPO_ROOT } from './runCli.js';

export interface HeadlessProcess {
  port: number;
  token: string;
  /** The URL a browser opens: the token rides in the #fragment. */
  openUrl: string;
  stdout: () => string;
  exited: Promise<number | null>;
  stop: () => void;
  /** A crash: SIGKILL, nothing runs after it. */
  kill: () => void;
}

export function startHeadlessProcess(
  home: string,
  env: NodeJS.ProcessEnv,
): Promise<HeadlessProcess> {
  const child = spawn(process.execPath, [BUILT_CLI, 'start', '--headless', '--port', '0'], {
    env: cleanEnv(home, env),
    cwd: REPO_ROOT,
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    void exited.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const open = /(http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]{43}))/.exec(stdout);
      if (open) {
        resolve({
          port: Number(open[2]),
          token: open[3]!,
          openUrl: open[1]!,
          stdout: () => stdout,
          exited,
          stop: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
          },
          kill: () => {
            if (child.exitCode === null) child.kill('SIGKILL');
          },
        });
      }
    });
  });
}
