// The process entry point of the `omnipalm` command (bin/omnipalm.mjs loads it through tsx;
// a bundler can use it directly).
import { processIO, runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2), processIO());
