// Call sites for SLAB_STORE_USER tracking. The kernel stores _RET_IP_ (a text address) and prints
// it with %pS; here a call site is the first JavaScript stack frame outside this package, given a
// made-up address in kernel text so that it fits the u32 `addr` of struct track in memory.

/** Where the made-up call-site addresses start (inside the kernel image's text). */
export const CALLER_TEXT_BASE = 0xc1000000;
const CALLER_STRIDE = 0x40;

const OWN_FILE = /[\\/](?:slab[\\/](?:src|dist)[\\/]|@k[\\/]slab[\\/])/;

/** Interns call sites as addresses and turns addresses back into names (a tiny kallsyms). */
export class CallerTable {
  private readonly names: string[] = [];
  private readonly byName = new Map<string, number>();

  /** The address of `name`, interning it on first use. */
  intern(name: string): number {
    let id = this.byName.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.byName.set(name, id);
    }
    return CALLER_TEXT_BASE + id * CALLER_STRIDE;
  }

  /** The caller of the slab API (0 when `enabled` is 0: tracking is off). */
  capture(enabled: number): number {
    if (enabled === 0) return 0;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 30;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    for (const line of stack.split('\n').slice(1)) {
      const m = /^\s*at (?:(.+?) \()?(.*?):\d+:\d+\)?$/.exec(line);
      if (m === null) continue;
      const file = m[2];
      if (OWN_FILE.test(file) || file.includes('node:internal')) continue;
      const fn = m[1]?.replace(/^(?:async |Object\.|new )/, '') ?? '';
      return this.intern(fn !== '' ? fn : (file.split(/[\\/]/).pop() ?? 'unknown'));
    }
    return this.intern('unknown');
  }

  /** %pS: "name+0x0/0x40" for a known call site, else the bare hex address. */
  symbolize(addr: number): string {
    const id = (addr - CALLER_TEXT_BASE) / CALLER_STRIDE;
    if (Number.isInteger(id) && id >= 0 && id < this.names.length) {
      return `${this.names[id]}+0x0/0x${CALLER_STRIDE.toString(16)}`;
    }
    return `0x${(addr >>> 0).toString(16)}`;
  }
}
