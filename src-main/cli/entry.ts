// The process entry point of the `omnipalm` command. scripts/build-cli.mjs bundles it into
// out/cli/omnipalm.mjs, which bin/omnipalm.mjs runs; `npm run omnipalm -- …` runs it from
// source (through tsx). `--version` is answered before anything else loads: scripts and
// prompts call it to check the install, and it is the floor of every start's cost.
import { VERSION } from './version.js';

const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === '-v') {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { processIO, runCli } = await import('./main.js');
  process.exitCode = await runCli(argv, processIO());
}
