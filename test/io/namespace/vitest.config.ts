// Vitest configuration for suites that must run inside a private mount namespace (started by onoff-sysfs.test.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/io/namespace/**/*.ns-test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
  },
});
