/**
 * Jest's module loader cannot require() ES modules on Node 20 (it can on Node >= 24.9), and
 * NestJS 12 ships as ESM. Under jest only, ESM files from node_modules are compiled to CommonJS
 * with swc; the two ESM-only idioms Nest uses are rewritten to their CommonJS equivalents first.
 */
const { createTransformer } = require('@swc/jest');

const swc = createTransformer({
  jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
  module: { type: 'commonjs' },
});

function toCommonJs(source) {
  return source
    .replace(/^const require = createRequire\(import\.meta\.url\);$/m, '')
    .replace(/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href");
}

module.exports = {
  canInstrument: false,
  getCacheKey(source, path, options) {
    return swc.getCacheKey(toCommonJs(source), path, options) + ':esm-to-cjs-2';
  },
  process(source, path, options) {
    return swc.process(toCommonJs(source), path, options);
  },
};
