// panic(9), as sys/kern/kern_shutdown.c does it: print "panic: <message>" and stop the kernel.
// A TypeScript kernel cannot halt the host, so panic() prints the message through printk and then
// throws a Panic, which unwinds out of whatever API call panicked. Callers (the kernel core, tests)
// catch it as "the machine stopped here".

import { KERN_EMERG, type Printk } from '@k/page-alloc';

/** Thrown by panic(): the kernel has stopped. `panicstr` is the message without the "panic: " prefix. */
export class Panic extends Error {
  override name = 'Panic';
  constructor(readonly panicstr: string) {
    super(`panic: ${panicstr}`);
  }
}

/** panic(fmt, ...): prints "panic: <message>" and throws Panic. Never returns. */
export function panic(printk: Printk, message: string): never {
  const text = message.replace(/\n$/, '');
  printk(`${KERN_EMERG}panic: ${text}\n`);
  throw new Panic(text);
}

/** FreeBSD's %p: "0x" and lowercase hex (kvprintf prints NULL as "0"). */
export function fmtp(addr: number): string {
  return addr === 0 ? '0' : `0x${(addr >>> 0).toString(16)}`;
}
