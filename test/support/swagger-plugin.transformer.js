// The @nestjs/swagger CLI plugin as a ts-jest AST transformer, with the options of nest-cli.json,
// so the app under test documents its DTOs exactly as the built app does.
const plugin = require('@nestjs/swagger/plugin');
const { compilerOptions } = require('../../nest-cli.json');

const options = compilerOptions.plugins.find((p) => p.name === '@nestjs/swagger').options;

module.exports.name = 'nestjs-swagger-plugin';
// Bump when the options change: ts-jest caches transformed files by transformer version.
module.exports.version = 1;
module.exports.factory = (tsCompiler) => plugin.before(options, tsCompiler.program);
