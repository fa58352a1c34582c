export * from './gateway-error.js';
