import { defineConfig } from 'vitest/config';
export default defineConfig({
  root: '/work/main',
  test: {
    include: ['test/core/storage/dynamodb-store.test.ts'],
    testTimeout: 30_000, hookTimeout: 120_000, pool: 'forks',
    globalSetup: ['test/support/dynamodb-global-setup.ts'],
  },
});
