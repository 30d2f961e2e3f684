// `npm run bench`: runs every test/bench/*.bench.ts. Each exports `run()` returning lines, one
// per figure, each a ratio against a baseline measured in the same run (these machines are noisy).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const folder = import.meta.dirname;
const filter = process.argv[2];
const files = fs
  .readdirSync(folder)
  .filter((file) => file.endsWith('.bench.ts') && (!filter || file.includes(filter)))
  .sort();
if (files.length === 0) console.log('no benchmarks yet');
for (const file of files) {
  const bench = (await import(pathToFileURL(path.join(folder, file)).href)) as {
    run: () => Promise<string[]> | string[];
  };
  for (const line of await bench.run()) console.log(`${file.replace('.bench.ts', '')}: ${line}`);
}
