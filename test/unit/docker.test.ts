// No Docker engine runs where the suite runs, so the container files are kept honest by
// reading them: every setting the security guide's "Docker Isolation" asks for (and the gaps
// we close in it) is asserted here, and the example config goes through the real schema.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, validateConfigFile } from '../../src-main/config/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface Instruction {
  keyword: string;
  argument: string;
}

/** Dockerfile → stages of instructions (continuation lines joined, comments dropped). */
function dockerfileStages(text: string): Instruction[][] {
  const logical: string[] = [];
  let pending = '';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = '';
  }
  const stages: Instruction[][] = [];
  for (const entry of logical.filter((line) => line !== '')) {
    const match = /^(\S+)\s*(.*)$/s.exec(entry)!;
    const instruction = { keyword: match[1]!.toUpperCase(), argument: match[2]!.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** A JSON-form (exec) or shell-form argument as a list of words. */
function words(argument: string): string[] {
  return argument.startsWith('[') ? (JSON.parse(argument) as string[]) : argument.split(/\s+/);
}

type Service = Record<string, unknown>;

function composeService(): Service {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
  const service = compose.services.omnipalm;
  expect(service, 'docker-compose.yml: services.omnipalm').toBeDefined();
  return service!;
}

/** Volume entries of the short syntax "source:target[:mode]". */
function volumes(service: Service): { source: string; target: string; mode: string }[] {
  return (service.volumes as string[]).map((entry) => {
    const [source = '', target = '', mode = 'rw'] = entry.split(':');
    return { source, target, mode };
  });
}

function environment(service: Service): Record<string, string | undefined> {
  const value = service.environment;
  if (!Array.isArray(value)) return value as Record<string, string>;
  return Object.fromEntries(
    (value as string[]).map((entry) => {
      const separator = entry.indexOf('=');
      return separator < 0
        ? [entry, undefined]
        : [entry.slice(0, separator), entry.slice(separator + 1)];
    }),
  );
}

const stages = dockerfileStages(read('Dockerfile'));
const runtime = stages.at(-1)!;
const envOf = (stage: Instruction[]) =>
  Object.fromEntries(
    stage
      .filter((instruction) => instruction.keyword === 'ENV')
      .flatMap((instruction) => [...instruction.argument.matchAll(/(\w+)=(\S+)/g)])
      .map((match) => [match[1]!, match[2]!]),
  );
const runtimeEnv = envOf(runtime);

describe('Dockerfile', () => {
  it('builds on Node 20 in two stages', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]!.argument).toMatch(/^node:20-bookworm-slim\b/);
  });

  it('installs with the lock file, builds from source and ships no dev dependencies', () => {
    const runs = stages
      .flat()
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((instruction) => instruction.argument)
      .join('\n');
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).not.toMatch(/\bnpm (install|i)\b/);
    expect(runs).toMatch(/\bnpm run build\b/);
    expect(runs).toMatch(/\bnpm prune --omit=dev\b/);
    expect(runs).toMatch(/python3/);
    expect(runs).toMatch(/\bg\+\+/);
    expect(envOf(stages[0]!).ELECTRON_SKIP_BINARY_DOWNLOAD).toBe('1');
  });

  it('fetches nothing over the network with ADD and does not copy the build context into the runtime', () => {
    for (const instruction of stages.flat()) {
      if (instruction.keyword === 'ADD') expect(instruction.argument).not.toMatch(/https?:/i);
    }
    const runtimeCopies = runtime.filter((instruction) => instruction.keyword === 'COPY');
    expect(runtimeCopies.length).toBeGreaterThan(0);
    for (const copy of runtimeCopies) expect(copy.argument).toMatch(/^--from=build\b/);
  });

  it('installs what the shell sandbox and PID 1 need in the runtime stage, and no compiler', () => {
    const runtimeRuns = runtime
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((instruction) => instruction.argument)
      .join('\n');
    for (const packageName of ['bubblewrap', 'socat', 'ripgrep', 'tini']) {
      expect(runtimeRuns).toMatch(new RegExp(`\\b${packageName}\\b`));
    }
    expect(runtimeRuns).not.toMatch(/\b(g\+\+|gcc|make|python3)\b/);
  });

  it('runs as uid 1000, never root, in the final stage', () => {
    const users = runtime.filter((instruction) => instruction.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    // The last USER is the one the container runs as.
    const user = users.at(-1)!.argument;
    expect(user).toMatch(/^1000(:1000)?$/);
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(runtimeEnv.OMNIPALM_ALLOW_ROOT).toBeUndefined();
  });

  it('puts OMNIPALM_HOME under the user home and starts through tini', () => {
    expect(runtimeEnv.HOME).toBe('/home/omnipalm');
    expect(runtimeEnv.OMNIPALM_HOME).toBe('/home/omnipalm/.omnipalm');
    const entrypoint = runtime.find((instruction) => instruction.keyword === 'ENTRYPOINT');
    expect(entrypoint).toBeDefined();
    // Exec form: with the shell form, /bin/sh would be PID 1 and swallow SIGTERM.
    expect(entrypoint!.argument.startsWith('[')).toBe(true);
    expect(words(entrypoint!.argument)[0]).toMatch(/(^|\/)tini$/);
  });

  it('exposes 7780 and has the headless command listening for the published port', () => {
    const expose = runtime.find((instruction) => instruction.keyword === 'EXPOSE');
    expect(expose?.argument.split(/\s+/)).toContain('7780');
    const command = runtime.find((instruction) => instruction.keyword === 'CMD');
    expect(command).toBeDefined();
    const argv = words(command!.argument).join(' ');
    expect(argv).toContain('--headless');
    expect(argv).toContain('--host 0.0.0.0');
    expect(argv).toContain('--allow-remote');
  });
});

describe('docker-compose.yml', () => {
  const service = composeService();

  it('runs as uid 1000 with no capabilities and no way to gain privileges', () => {
    expect(service.user).toMatch(/^1000(:1000)?$/);
    expect(service.cap_drop).toEqual(['ALL']);
    expect(service.cap_add).toBeUndefined();
    expect(service.privileged).not.toBe(true);
    expect(service.security_opt).toContain('no-new-privileges:true');
    for (const key of ['pid', 'ipc', 'network_mode', 'userns_mode']) {
      expect(service[key], key).not.toBe('host');
    }
    expect(service.devices).toBeUndefined();
  });

  it('has a read-only root file system with /tmp on tmpfs', () => {
    expect(service.read_only).toBe(true);
    const tmpfs = ([] as string[]).concat(service.tmpfs as string | string[]);
    expect(tmpfs.some((entry) => entry === '/tmp' || entry.startsWith('/tmp:'))).toBe(true);
  });

  it('mounts the config read-only at $OMNIPALM_HOME/config.yaml over a writable home volume', () => {
    const mounts = volumes(service);
    const config = mounts.find(
      (mount) => mount.target === `${runtimeEnv.OMNIPALM_HOME}/config.yaml`,
    );
    expect(config).toBeDefined();
    expect(config!.mode.split(',')).toContain('ro');
    const home = mounts.find((mount) => mount.target === runtimeEnv.OMNIPALM_HOME);
    expect(home?.mode).toBe('rw');
    // Nothing from the host besides the config file: no docker socket, no host home.
    for (const mount of mounts) {
      expect(mount.source).not.toMatch(/docker\.sock|^~\/?$|^\/$/);
    }
  });

  it('mounts a workspace volume on the allowed path ~/projects', () => {
    const compose = parse(read('docker-compose.yml')) as { volumes?: Record<string, unknown> };
    const workspace = volumes(service).find((mount) => mount.target === '/home/omnipalm/projects');
    expect(workspace).toBeDefined();
    expect(workspace!.mode).toBe('rw');
    expect(Object.keys(compose.volumes ?? {})).toContain(workspace!.source);
  });

  it('takes the API key from the environment, never a literal', () => {
    const variables = environment(service);
    expect(variables.OMNIPALM_LLM_API_KEY).toBe('${OMNIPALM_LLM_API_KEY}');
    expect(variables.OMNIPALM_ALLOW_ROOT).toBeUndefined();
    // No other value in the file looks like a key either.
    expect(read('docker-compose.yml')).not.toMatch(/sk-ant-|sk-[A-Za-z0-9]{20,}/);
  });

  it('publishes the port on the host loopback only', () => {
    const ports = service.ports as unknown[];
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) {
      expect(typeof port, 'long-syntax ports need host_ip checks').toBe('string');
      expect(port).toMatch(/^127\.0\.0\.1:/);
    }
    expect(ports).toContain('127.0.0.1:7780:7780');
    expect(service.network_mode).toBeUndefined();
  });

  it('limits CPU and memory', () => {
    const limits = (
      service.deploy as { resources?: { limits?: Record<string, unknown> } } | undefined
    )?.resources?.limits;
    const cpus = limits?.cpus ?? service.cpus;
    const memory = limits?.memory ?? service.mem_limit;
    expect(Number(cpus)).toBeGreaterThan(0);
    expect(String(memory)).toMatch(/^\d+(\.\d+)?[kmg]b?$/i);
  });

  it('starts headless, listening inside the container for the published port', () => {
    const command = ([] as string[]).concat(service.command as string | string[]).join(' ');
    expect(command).toContain('--headless');
    expect(command).toContain('--host 0.0.0.0');
    expect(command).toContain('--allow-remote');
    expect(command).toContain('--port 7780');
  });
});

describe('docker/config.yaml', () => {
  it('is valid for the real schema (and holds no credentials)', () => {
    const file = path.join(root, 'docker/config.yaml');
    expect(configSchema.safeParse(parse(fs.readFileSync(file, 'utf8'))).success).toBe(true);
    // The CLI's own loader also refuses credentials written into the file.
    const config = validateConfigFile(file);
    expect(config.security.allowed_paths).toEqual(['~/projects']);
    expect(config.security.sandbox).toBe('auto');
    expect(config.security.require_confirmation).toBe(true);
    expect(config.integrations.browser.enabled).toBe(false);
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps build output, dependencies, history and secrets out of the build context', () => {
    for (const pattern of ['node_modules', 'out', '.git', '.env', '**/api-token', '*.pem']) {
      expect(patterns, pattern).toContain(pattern);
    }
    expect(patterns.some((pattern) => /\*\*\/\*\.pem|\*\.pem/.test(pattern))).toBe(true);
    // Nothing re-includes a secret after excluding it.
    for (const pattern of patterns.filter((line) => line.startsWith('!'))) {
      expect(pattern).not.toMatch(/api-token|\.pem|\.env|\.key/);
    }
  });
});
