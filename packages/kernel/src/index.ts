export {
  type AllocatorTotals,
  type CrosscheckOptions,
  type CrosscheckSummary,
  crosscheck,
  formatCrosscheck,
} from './crosscheck.js';
export { K_RELEASE, type Kernel, type StartKernelOptions, start_kernel } from './main.js';
export { formatTimestamp, LogBuffer, type LogRecord } from './printk.js';
