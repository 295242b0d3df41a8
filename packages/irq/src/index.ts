export * from './preempt.js';
