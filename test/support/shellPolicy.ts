// A real PolicyEnforcer and bash analyzer for shell-policy tests, as a user who turned shell
// confirmations off has them: `~/projects` allowed, `~/.ssh` blocked, deletes, email and
// deploys still confirmed, the sandbox on. Commands are judged in ~/projects/app (dry run).
import fs from 'node:fs';
import path from 'node:path';
import { configSchema } from '../../src-main/config/schema.js';
import { rateLimitsOf } from '../../src-main/policy/index.js';
import { PolicyEnforcer } from '../../src-main/policy/policyEnforcer.js';
import { RateLimiter } from '../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../src-main/policy/shellAnalysis.js';
import type { PolicyDecision } from '../../src-main/policy/types.js';
import { makeTempFolder } from './tempFolders.js';

export interface ShellPolicy {
  homeDir: string;
  /** The working folder commands run in: ~/projects/app. */
  work: string;
  check(command: string): PolicyDecision;
  close(): void;
}

export async function shellPolicy(prefix: string): Promise<ShellPolicy> {
  const homeDir = path.join(makeTempFolder(prefix), 'home');
  const work = path.join(homeDir, 'projects', 'app');
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(path.join(homeDir, '.omnipalm'));
  const config = configSchema.parse({
    security: {
      allowed_paths: ['~/projects'],
      blocked_paths: ['~/.ssh'],
      require_confirmation: true,
      confirm_operations: ['delete', 'send_email', 'deploy'],
    },
  });
  const limiter = new RateLimiter({
    databaseFile: path.join(makeTempFolder(), 'rate.sqlite'),
    limits: () => rateLimitsOf(config),
  });
  const policy = new PolicyEnforcer({
    config,
    homeDir,
    omnipalmHome: path.join(homeDir, '.omnipalm'),
    shellAnalyzer: await ShellAnalyzer.create(),
    rateLimits: limiter,
    sandboxCanMakeReadOnly: true,
  });
  return {
    homeDir,
    work,
    check: (command) =>
      policy.decide({ op: 'execute_shell', command, cwd: work }, { dryRun: true }),
    close: () => limiter.close(),
  };
}
