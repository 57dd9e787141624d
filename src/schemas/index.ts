export * from './common.js';
export * from './organization.js';
export * from './auth.js';
export * from './customer.js';
export * from './billing.js';
