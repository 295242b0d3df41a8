import { describe, expect, it } from 'vitest';
import { collectingPrintk, KERN_ERR, KERN_WARNING, printk_get_level } from './printk.js';

describe('printk levels', () => {
  it('splits the KERN_ prefix like printk_get_level()', () => {
    expect(printk_get_level(`${KERN_ERR}oops\n`)).toEqual([3, 'oops\n']);
    expect(printk_get_level('no level')).toEqual([4, 'no level']);
    expect(printk_get_level('\x019bad')).toEqual([4, '\x019bad']);
  });

  it('collects messages without their level prefix or trailing newline', () => {
    const printk = collectingPrintk();
    printk(`${KERN_WARNING}page allocation failure: order:11\n`);
    expect(printk.lines).toEqual(['page allocation failure: order:11']);
  });
});
