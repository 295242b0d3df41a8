export * from './setup_header.js';
