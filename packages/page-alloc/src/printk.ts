// The kernel's log interface as seen from a subsystem: printk(KERN_WARNING "...") in C.
// Lower layers cannot import the kernel core, so each subsystem takes a Printk sink; the kernel
// core passes its ring-buffer printk (dmesg), tests pass a collector. A message starts with a
// KERN_<LEVEL> prefix exactly as in include/linux/kern_levels.h (KERN_SOH "\001" + level digit).

export const KERN_SOH = '\x01';
export const KERN_EMERG = `${KERN_SOH}0`;
export const KERN_ALERT = `${KERN_SOH}1`;
export const KERN_CRIT = `${KERN_SOH}2`;
export const KERN_ERR = `${KERN_SOH}3`;
export const KERN_WARNING = `${KERN_SOH}4`;
export const KERN_NOTICE = `${KERN_SOH}5`;
export const KERN_INFO = `${KERN_SOH}6`;
export const KERN_DEBUG = `${KERN_SOH}7`;
/** The default message level (CONFIG_MESSAGE_LOGLEVEL_DEFAULT). */
export const MESSAGE_LOGLEVEL_DEFAULT = 4;

/** A printk sink: receives one message, level prefix included, newline-terminated or not. */
export type Printk = (message: string) => void;

/** Splits a KERN_<LEVEL> prefix off a message, like printk_get_level(): [level, text]. */
export function printk_get_level(message: string): [level: number, text: string] {
  if (message.length >= 2 && message[0] === KERN_SOH) {
    const digit = message.charCodeAt(1) - 48;
    if (digit >= 0 && digit <= 7) return [digit, message.slice(2)];
  }
  return [MESSAGE_LOGLEVEL_DEFAULT, message];
}

/** A Printk that keeps messages in an array (for tests and for callers without a kernel). */
export function collectingPrintk(): Printk & { lines: string[] } {
  const lines: string[] = [];
  const sink = ((message: string) => {
    lines.push(printk_get_level(message)[1].replace(/\n$/, ''));
  }) as Printk & { lines: string[] };
  sink.lines = lines;
  return sink;
}
