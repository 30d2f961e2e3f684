// A real PolicyEnforcer over a temp home: allowed = ~/work and ~/docs, blocked = ~/work/secrets and
// ~/.ssh, trusted = ~/work/mine.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import { configSchema } from '../../../../src-main/config/schema.js';
import { rateLimitsOf } from '../../../../src-main/policy/index.js';
import { PolicyEnforcer } from '../../../../src-main/policy/policyEnforcer.js';
import { RateLimiter } from '../../../../src-main/policy/rateLimiter.js';
import { ShellAnalyzer } from '../../../../src-main/policy/shellAnalysis.js';
import type { FsToolContext } from '../../../../src-main/tools/fs/shared.js';
import { makeTempFolder } from '../../../support/tempFolders.js';

const limiters: RateLimiter[] = [];
afterAll(() => limiters.forEach((limiter) => limiter.close()));

export interface Sandbox {
  home: string;
  work: string;
  secrets: string;
  ssh: string;
  context: FsToolContext;
  /** Writes a file (creating folders) and returns its path. */
  file: (relative: string, content?: string) => string;
}

export async function makeSandbox(): Promise<Sandbox> {
  const root = makeTempFolder('omnipalm-fs-');
  const home = path.join(root, 'home');
  const work = path.join(home, 'work');
  const secrets = path.join(work, 'secrets');
  const ssh = path.join(home, '.ssh');
  for (const folder of [work, secrets, ssh, path.join(home, 'docs')])
    fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(ssh, 'id_rsa'), 'PRIVATE KEY');
  fs.writeFileSync(path.join(secrets, 'token.txt'), 'SECRET TOKEN');
  const config = configSchema.parse({
    security: {
      allowed_paths: ['~/work', '~/docs'],
      blocked_paths: ['~/.ssh', '~/work/secrets'],
      trusted_paths: ['~/work/mine'],
      rate_limits: { file_operations_per_minute: 10_000 },
    },
  });
  const rateLimits = new RateLimiter({
    databaseFile: path.join(makeTempFolder(), 'rate.sqlite'),
    limits: () => rateLimitsOf(config),
  });
  limiters.push(rateLimits);
  const enforcer = new PolicyEnforcer({
    config,
    homeDir: home,
    omnipalmHome: path.join(home, '.omnipalm'),
    shellAnalyzer: await ShellAnalyzer.create(),
    rateLimits,
    sandboxCanMakeReadOnly: true,
  });
  const file = (relative: string, content = 'x') => {
    const target = path.join(work, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    return target;
  };
  return { home, work, secrets, ssh, context: { enforcer, cwd: work }, file };
}
