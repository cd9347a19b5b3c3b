// Unit specs live beside the code (src/, *.spec.ts); e2e specs in test/e2e (*.e2e-spec.ts).
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: {
    // Type-checking is done once by `tsc --noEmit` in `npm test`; here only transpile.
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }],
  },
  testEnvironment: 'node',
  // Two cores on CI: each e2e file boots an app, a database and an SMTP server.
  maxWorkers: 2,
  testTimeout: 60000,
  forceExit: false,
};
