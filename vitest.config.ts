import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/bench/**', 'node_modules/**'],
    environment: 'node',
    globalSetup: ['test/support/buildCli.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests must never read or write the real ~/.omnipalm: every test sets its own OMNIPALM_HOME.
    env: { OMNIPALM_HOME: '/nonexistent/omnipalm-home-must-be-set-by-test' },
  },
});
