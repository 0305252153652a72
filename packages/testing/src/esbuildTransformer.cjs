// Jest transform for the repository's ESM TypeScript: esbuild strips types (it ships prebuilt
// binaries for every platform in the lockfile, unlike @swc/core). Type checking is `npm run typecheck`.
const { transformSync } = require('esbuild');

module.exports = {
  process(source, filename) {
    const result = transformSync(source, {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
    });
    return { code: result.code };
  },
};
