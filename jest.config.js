// Unit specs live beside the code (src/, *.spec.ts); e2e specs in test/e2e (*.e2e-spec.ts).
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: {
    // Type-checking is done once by `tsc --noEmit` in `npm test` (diagnostics off here); the
    // program is still built, because the Swagger plugin reads types.
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: '<rootDir>/tsconfig.spec.json',
        diagnostics: false,
        // The same @nestjs/swagger CLI plugin as `nest build` (nest-cli.json): DTO docs from types, validators and comments.
        astTransformers: { before: ['<rootDir>/test/support/swagger-plugin.transformer.js'] },
      },
    ],
    // openid-client 6, oauth4webapi and jose 6 ship ES modules only: the compiled app require()s them
    // (Node >= 20.19), but Jest's CommonJS runtime needs them transpiled. Only these are transformed.
    '^.+\\.m?js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true }, isolatedModules: true, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|jose)/)'],
  testEnvironment: 'node',
  // Two cores on CI: each e2e file boots an app, a database and an SMTP server.
  maxWorkers: 2,
  testTimeout: 60000,
  forceExit: false,
};
