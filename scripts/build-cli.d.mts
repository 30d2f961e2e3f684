// Types for build-cli.mjs (a plain script, so that `npm install` needs no TypeScript loader).
export const REPO_ROOT: string;
export const CLI_OUT_DIR: string;
export const BUILT_CLI: string;
export function buildCli(options?: {
  outdir?: string;
  clean?: boolean;
}): Promise<{ entry: string; files: string[] }>;
