// Vitest global setup: bundles the CLI once per test run with the very build `npm install`,
// `npm run build` and `npm pack` make (scripts/build-cli.mjs, ~0.1 s), into out/cli, so the
// suite's child processes run what users run — and bin/omnipalm.mjs runs the same files.
import { BUILT_CLI, buildCli, REPO_ROOT } from '../../scripts/build-cli.mjs';

export { BUILT_CLI, REPO_ROOT };

export default async function setup(): Promise<void> {
  await buildCli();
}
