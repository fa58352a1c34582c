export * from './gateway-error.js';
export * from './store-errors.js';
