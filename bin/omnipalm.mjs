#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx compiles it on the fly), so `npx omnipalm` in a
// checkout always runs the current source.
import { register } from 'tsx/esm/api';

register();
const { runCli, processIO } = await import('../src-main/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), processIO());
