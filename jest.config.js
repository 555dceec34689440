/** Four layers: unit specs next to code, time-skipping workflow tests (and replay of recorded histories), e2e over HTTP, the dashboard in a browser. */
// The AWS SDK warns once per process that its 2027 releases will need Node 22 (README,
// "Requirements"); in test output it is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const transform = {
  '^.+\\.ts$': ['@swc/jest'],
  // NestJS 12 is ESM; see the transformer for why and how.
  '^.+/node_modules/.+\\.m?js$': '<rootDir>/test/support/esm-to-cjs-transformer.js',
};
/**
 * One Temporal dev server and one workflow bundle for the whole run, for the projects that need
 * them: jest runs each distinct globalSetup path once per run, for the selected projects only.
 */
const devServer = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
const common = {
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|strtok3|token-types|uint8array-extras|@tokenizer|jose)/)'],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,common,workflows,activities,libs,scripts,bench}/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
    },
    {
      ...common,
      ...devServer,
      displayName: 'workflows',
      testMatch: ['<rootDir>/test/workflows/**/*.spec.ts', '<rootDir>/test/replay/**/*.spec.ts'],
    },
    { ...common, ...devServer, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    // The dashboard in Debian's Chromium (playwright-core), against the API, a worker and the dev server.
    { ...common, ...devServer, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
  ],
};
