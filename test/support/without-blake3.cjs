// Preloaded (`node --require`) into a gateway process by test/e2e/digest-fallback.test.ts: the
// platform packages of @napi-rs/blake-hash are not found, as on a platform npm has no binary for.
'use strict';
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@napi-rs/blake-hash-') || /[\\/]blake\.[^\\/]+\.node$/.test(request)) {
    const err = new Error(`Cannot find module '${request}' (test: no BLAKE3 binding on this platform)`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
