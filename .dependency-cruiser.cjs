/** Dependency rules checked by `npm test` (see README "Module map"). */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment: 'The folders of src/ depend on each other one way only: no import cycle between them.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-dev-dependency-at-runtime',
      comment: 'The production image prunes devDependencies: application code may only load runtime dependencies.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'orchestrators-are-leaves',
      comment:
        'onboarding, imports, sso, scim and ops use the feature modules; only the application root (app.module, app.setup, the entry points) imports them.',
      severity: 'error',
      // database/ lists every module's entities and migrations for TypeORM.
      from: { path: '^src/([^/]+)/', pathNot: '^src/database/' },
      to: { path: '^src/(onboarding|imports|sso|scim|ops)/', pathNot: '^src/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Specs beside the code use test helpers; the rule is about the application's own layering.
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
