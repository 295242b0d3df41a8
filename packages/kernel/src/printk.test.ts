import { KERN_ERR, KERN_INFO } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, LogBuffer } from './printk.js';

describe('LogBuffer', () => {
  it('renders dmesg lines with the kernel timestamp format and keeps levels', () => {
    let now = 0;
    const log = new LogBuffer(() => now);
    log.printk(`${KERN_INFO}Linux version k\n`);
    now = 1_234_567_891;
    log.printk(`${KERN_ERR}BUG: oops\n`);
    expect(log.dmesg()).toBe('[    0.000000] Linux version k\n[    1.234567] BUG: oops\n');
    expect(log.log.map((r) => r.level)).toEqual([6, 3]);
  });

  it('joins continued lines and splits multi-line messages', () => {
    const log = new LogBuffer();
    log.printk('Memory: ');
    log.printk('1024K available\nsecond\n');
    expect(log.log.map((r) => r.text)).toEqual(['Memory: 1024K available', 'second']);
  });

  it('drops the oldest records when full', () => {
    const log = new LogBuffer(() => 0, 2);
    for (const n of [1, 2, 3]) log.printk(`line ${n}\n`);
    expect(log.log.map((r) => r.text)).toEqual(['line 2', 'line 3']);
    expect(log.droppedRecords).toBe(1);
  });

  it('formats large timestamps', () => {
    expect(formatTimestamp(123_456_000_001_000)).toBe('[123456.000001]');
  });
});
