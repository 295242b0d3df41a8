export * from './malloc.js';
