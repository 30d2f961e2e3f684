// Runs the real `omnipalm` command as a child process, the way a user does.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { BUILT_CLI, REPO_ROOT } from './buildCli.js';

export { REPO_ROOT };
export const BIN = path.join(REPO_ROOT, 'bin', 'omnipalm.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Run bin/omnipalm.mjs (tsx) instead of the bundle built for this test run. */
  viaBin?: boolean;
}

/** The environment a test child gets: no inherited OmniPalm variables, its own home. */
export function cleanEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('OMNIPALM_') && !key.startsWith('DBUS_')) env[key] = value;
  }
  return { ...env, OMNIPALM_HOME: home, ...extra };
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.viaBin ? BIN : BUILT_CLI, ...args], {
      env: cleanEnv(options.home, options.env),
      cwd: REPO_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
