#!/usr/bin/env node
// Runs the bundled CLI (out/cli/omnipalm.mjs): plain JavaScript, so starting never compiles
// TypeScript. `npm install` and `npm run build` build it in a checkout, `npm pack` puts it in
// the package; `npm run omnipalm -- …` runs the TypeScript source instead.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../out/cli/omnipalm.mjs', import.meta.url));
if (existsSync(built)) {
  await import(new URL('../out/cli/omnipalm.mjs', import.meta.url).href);
} else {
  const checkout = dirname(dirname(fileURLToPath(import.meta.url)));
  process.stderr.write(
    `omnipalm: the CLI is not built (${built} is missing): run npm run build in ${checkout}\n`,
  );
  process.exitCode = 1;
}
