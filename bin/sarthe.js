#!/usr/bin/env node
// The CLI is TypeScript compiled to dist/ by `npm install` (the prepare script).
import('../dist/src/cli/index.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/src/cli')) {
    process.stderr.write('sarthe: not built yet; run `npm install` (or `npm run build`) first\n');
    process.exit(1);
  }
  throw error;
});
