#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx compiles it on the fly), so `npx omnipalm` in a
// checkout always runs the current source.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/entry.ts');
