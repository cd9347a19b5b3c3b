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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Specs beside the code use test helpers; the rule is about the application's own layering.
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
