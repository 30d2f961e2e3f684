// Where an MCP reference server from the npm registry (a devDependency) keeps its program:
// tests start it as `node <bin>`, so it runs under the Node that runs the tests.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The bin of @modelcontextprotocol/<name>, e.g. serverBin('server-memory'). */
export function serverBin(name: string): string {
  const manifest = require.resolve(`@modelcontextprotocol/${name}/package.json`);
  const bin = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { bin: Record<string, string> })
    .bin;
  return path.join(path.dirname(manifest), Object.values(bin)[0]!);
}
