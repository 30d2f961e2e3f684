// The process entry point of the `omnipalm` command. scripts/build-cli.mjs bundles it into
// out/cli/omnipalm.mjs, which bin/omnipalm.mjs runs; `npm run omnipalm -- …` runs it from
// source (through tsx).
import { processIO, runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2), processIO());
