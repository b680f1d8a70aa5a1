import { defineConfig } from 'vitest/config';

// Unit tests (pure core) run in seconds; integration tests start local
// clusters, real kubectl, emulators and Docker, so they get longer timeouts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One DynamoDB Local JVM for the whole run instead of one per test file.
    globalSetup: ['test/support/dynamodb-global-setup.ts'],
  },
});
