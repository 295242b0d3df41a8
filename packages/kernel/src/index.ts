export { formatTimestamp, LogBuffer, type LogRecord } from './printk.js';
