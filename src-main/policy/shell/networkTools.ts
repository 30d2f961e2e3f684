// Deploy and network: subcommand tables saying which invocations deploy or reach the network.
import {
  hasOption,
  isRemote,
  parseArgs,
  words,
  type Note,
  type OptionSpec,
  type ParsedArgs,
  type Word,
} from './argv.js';

export interface ToolSpec {
  /** Global options taking a value, so the word after them is not the subcommand. */
  options?: OptionSpec;
  /** true: every use talks to the network; else the subcommands that do. */
  network?: true | readonly string[];
  /** true: every use deploys; else the subcommands that do. Deploying implies network. */
  deploy?: true | readonly string[];
  /** For what a subcommand list cannot say (`vercel` alone deploys, `aws s3 cp … s3://`). */
  decide?: (words: readonly string[], parsed: ParsedArgs) => 'deploy' | 'network' | undefined;
}

// Subcommand patterns: words separated by spaces, '*' matches any one word, '' means none.
function matches(words: readonly string[], patterns: true | readonly string[] | undefined) {
  if (patterns === true) return true;
  return (patterns ?? []).some((pattern) => {
    if (pattern === '') return words.length === 0;
    return pattern
      .split(' ')
      .every((part, i) => i < words.length && (part === '*' || part === words[i]));
  });
}

export const GIT_OPTIONS: OptionSpec = {
  short: 'Cc',
  long: ['git-dir', 'work-tree', 'namespace', 'config-env', 'super-prefix'],
};
const KUBE_OPTIONS: OptionSpec = {
  short: 'ns',
  long: ['namespace', 'context', 'cluster', 'kubeconfig', 'server', 'user', 'token', 'as'],
};
const KUBE_DEPLOY = words(
  'apply delete create replace patch rollout scale set edit label annotate expose run drain cordon uncordon taint autoscale',
);
export const DOCKER_OPTIONS: OptionSpec = {
  short: 'Hcfp',
  long: ['host', 'context', 'config', 'log-level', 'file', 'project-name', 'env-file', 'profile'],
};
const DOCKER: ToolSpec = {
  options: DOCKER_OPTIONS,
  deploy: ['push', 'image push', 'compose push', 'manifest push'],
  network: ['pull', 'image pull', 'compose pull', 'login', 'search'],
};
const TERRAFORM: ToolSpec = {
  deploy: ['apply', 'destroy', 'import', 'state rm', 'state mv', 'state push', 'taint', 'untaint'],
  network: ['init', 'plan', 'refresh', 'get'],
};
const VERCEL_LOCAL = new Set(
  'dev env login logout whoami ls list inspect logs link pull domains dns certs teams switch project projects help init build secrets git'.split(
    ' ',
  ),
);
export const AWS_OPTIONS: OptionSpec = {
  long: words(
    'profile region endpoint-url output query exclude include acl storage-class content-type cache-control sse metadata page-size ca-bundle',
  ),
};

export const RSYNC_OPTIONS: OptionSpec = {
  short: 'eBfTM',
  long: words(
    'rsh exclude include exclude-from include-from files-from filter log-file password-file temp-dir partial-dir backup-dir compare-dest copy-dest link-dest chmod chown max-size min-size timeout port bwlimit rsync-path suffix out-format',
  ),
};

export const TOOLS: Readonly<Record<string, ToolSpec>> = {
  git: {
    options: GIT_OPTIONS,
    deploy: ['push', 'svn dcommit'],
    network: [
      'clone',
      'fetch',
      'pull',
      'ls-remote',
      'remote update',
      'submodule update',
      'send-email',
    ],
  },
  kubectl: { options: KUBE_OPTIONS, network: true, deploy: KUBE_DEPLOY },
  oc: { options: KUBE_OPTIONS, network: true, deploy: KUBE_DEPLOY },
  terraform: TERRAFORM,
  tofu: TERRAFORM,
  helm: {
    options: { short: 'n', long: ['namespace', 'kube-context', 'kubeconfig'] },
    network: true,
    deploy: ['install', 'upgrade', 'uninstall', 'delete', 'rollback', 'push'],
  },
  pulumi: { network: true, deploy: ['up', 'update', 'destroy', 'import', 'refresh'] },
  cdk: { network: true, deploy: ['deploy', 'destroy'] },
  serverless: { network: true, deploy: ['deploy', 'remove'] },
  sls: { network: true, deploy: ['deploy', 'remove'] },
  'ansible-playbook': { deploy: true },
  ansible: { deploy: true },
  skaffold: { network: true, deploy: ['run', 'deploy', 'apply'] },
  docker: DOCKER,
  podman: DOCKER,
  npm: {
    deploy: ['publish', 'unpublish', 'deprecate', 'dist-tag add', 'dist-tag rm', 'owner add'],
    network: ['install', 'i', 'ci', 'add', 'update', 'up', 'upgrade', 'exec', 'x', 'audit'],
  },
  yarn: {
    deploy: ['publish', 'npm publish'],
    network: ['', 'install', 'add', 'upgrade', 'up', 'dlx', 'npm', 'global add', 'audit'],
  },
  pnpm: {
    deploy: ['publish'],
    network: ['install', 'i', 'add', 'update', 'up', 'upgrade', 'dlx', 'fetch', 'audit'],
  },
  bun: { deploy: ['publish'], network: ['install', 'i', 'add', 'update', 'x'] },
  npx: { network: true },
  pnpx: { network: true },
  bunx: { network: true },
  uvx: { network: true },
  cargo: {
    deploy: ['publish', 'yank', 'owner'],
    network: ['install', 'fetch', 'update', 'search'],
  },
  twine: { deploy: ['upload', 'register'] },
  gem: { deploy: ['push', 'yank', 'owner'], network: ['install', 'update', 'fetch', 'search'] },
  pip: { network: ['install', 'download', 'search', 'index'] },
  pip3: { network: ['install', 'download', 'search', 'index'] },
  uv: { deploy: ['publish'], network: ['pip install', 'add', 'sync', 'lock', 'tool install'] },
  poetry: { deploy: ['publish'], network: ['add', 'install', 'update', 'lock'] },
  pipx: { network: ['install', 'run', 'upgrade'] },
  conda: { network: ['install', 'create', 'update'] },
  go: { network: ['get', 'install', 'mod download', 'mod tidy'] },
  brew: { network: ['install', 'upgrade', 'update', 'reinstall', 'fetch', 'tap'] },
  apt: { network: ['install', 'update', 'upgrade', 'full-upgrade', 'download', 'source'] },
  'apt-get': { network: ['install', 'update', 'upgrade', 'dist-upgrade', 'download', 'source'] },
  dnf: { network: ['install', 'update', 'upgrade', 'download'] },
  yum: { network: ['install', 'update', 'upgrade', 'download'] },
  apk: { network: ['add', 'update', 'upgrade', 'fetch'] },
  snap: { network: ['install', 'refresh', 'download'] },
  gcloud: {
    options: { long: ['project', 'account', 'configuration', 'region', 'zone'] },
    network: true,
    deploy: ['* deploy', '* * deploy', '* * * deploy', 'builds submit'],
  },
  gsutil: {
    network: true,
    decide: (w) =>
      (['cp', 'rsync', 'mv'].includes(w[0] ?? '') && (w.at(-1) ?? '').startsWith('gs://')) ||
      ['rm', 'rb'].includes(w[0] ?? '')
        ? 'deploy'
        : undefined,
  },
  az: { network: true, deploy: ['* deploy', '* * deploy', 'webapp up', 'containerapp up'] },
  aws: {
    options: AWS_OPTIONS,
    network: true,
    deploy: ['deploy', '* deploy'],
    // Copying to a bucket publishes; removing from one deletes remote data.
    decide: (w) =>
      w[0] === 's3' &&
      ((['cp', 'sync', 'mv'].includes(w[1] ?? '') && (w[3] ?? '').startsWith('s3://')) ||
        ['rm', 'rb'].includes(w[1] ?? ''))
        ? 'deploy'
        : undefined,
  },
  firebase: { network: true, deploy: ['deploy', 'hosting:channel:deploy'] },
  // `vercel` and `vercel <dir>` deploy; only its named local subcommands do not.
  vercel: {
    network: true,
    decide: (w, parsed) =>
      hasOption(parsed, ['--prod']) || w.length === 0 || !VERCEL_LOCAL.has(w[0] ?? '')
        ? 'deploy'
        : undefined,
  },
  netlify: { network: true, deploy: ['deploy'] },
  fly: { network: true, deploy: ['deploy', 'launch', 'destroy', 'apps destroy'] },
  flyctl: { network: true, deploy: ['deploy', 'launch', 'destroy', 'apps destroy'] },
  heroku: {
    network: true,
    deploy: ['container:push', 'container:release', 'releases:rollback', 'apps:destroy'],
  },
  wrangler: { network: true, deploy: ['deploy', 'publish', 'pages deploy', 'delete'] },
  eb: { network: true, deploy: ['deploy', 'terminate'] },
  gh: {
    network: true,
    deploy: [
      'release create',
      'release upload',
      'repo create',
      'repo delete',
      'pr merge',
      'workflow run',
    ],
  },
  openssl: { network: ['s_client', 's_server'] },
  rsync: {
    options: RSYNC_OPTIONS,
    decide: (w) => (w.some(isRemote) ? 'network' : undefined),
  },
  ...Object.fromEntries(
    (
      'curl wget ssh scp sftp nc ncat netcat socat telnet ftp lftp http https xh httpie ping dig ' +
      'nslookup host whois traceroute mosh ssh-copy-id ngrok rclone doctl'
    )
      .split(' ')
      .map((name) => [name, { network: true }]),
  ),
};

/** The deploy/network kinds one invocation has. Deploy always comes with network. */
export function toolKinds(
  program: string,
  args: readonly Word[],
  note: Note,
): ('deploy' | 'network')[] {
  const spec = TOOLS[program];
  if (!spec) return [];
  const parsed = parseArgs(args, spec.options);
  // A subcommand only known at run time matches no entry, and might be one that deploys.
  const words = parsed.positionals.map((word) => (word.literal ? word.value : '\u0000'));
  const first = parsed.positionals[0];
  if (first && !first.literal && spec.deploy !== true && (spec.deploy || spec.decide)) {
    note(`the ${program} subcommand is only known when it runs: ${first.value}`);
  }
  const decided = spec.decide?.(words, parsed);
  if (decided === 'deploy' || matches(words, spec.deploy)) return ['deploy', 'network'];
  if (decided === 'network' || matches(words, spec.network)) return ['network'];
  return [];
}
