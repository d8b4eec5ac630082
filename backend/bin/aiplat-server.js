#!/usr/bin/env node
// npm links a package's bins at install time, before the build has made dist/: this stub exists
// from the start, so `npm ci` links it, and it loads the built entry point.
import('../dist/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('aiplat-server: the backend is not built yet; run npm run build (or npm start) first\n');
    process.exit(2);
  }
  throw error;
});
