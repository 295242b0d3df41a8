export { type ExecutionContext, processContext } from './context.js';
export {
  collectingPrintk,
  KERN_ALERT,
  KERN_CRIT,
  KERN_DEBUG,
  KERN_EMERG,
  KERN_ERR,
  KERN_INFO,
  KERN_NOTICE,
  KERN_SOH,
  KERN_WARNING,
  MESSAGE_LOGLEVEL_DEFAULT,
  type Printk,
  printk_get_level,
} from './printk.js';
