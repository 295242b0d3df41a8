// The printk sink this package writes to: the same shape as @k/page-alloc's Printk (a function
// taking one message with its KERN_<LEVEL> prefix), so the kernel core passes one printk to all.

export type Printk = (message: string) => void;

export const KERN_EMERG = '\x010';
export const KERN_ALERT = '\x011';
export const KERN_CRIT = '\x012';
export const KERN_ERR = '\x013';
export const KERN_WARNING = '\x014';
export const KERN_NOTICE = '\x015';
export const KERN_INFO = '\x016';
export const KERN_DEBUG = '\x017';
export const KERN_DEFAULT = '';

/** A printk that drops everything (the default when no sink is given). */
export const nullPrintk: Printk = () => {};

export const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
export const hex4 = (v: number): string => (v & 0xffff).toString(16).padStart(4, '0');
export const hex2 = (v: number): string => (v & 0xff).toString(16).padStart(2, '0');
