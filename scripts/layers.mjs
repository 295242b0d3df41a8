// The layer table of ../shared/design/ARCHITECTURE.md, as data. A package may depend on the packages
// listed for it and, transitively, on what those may depend on; never on one above it.
export const LAYERS = {
  '@k/x86-cpu': { layer: 0, mayDependOn: [] },
  '@k/bootloader': { layer: 1, mayDependOn: ['@k/x86-cpu'] },
  '@k/page-alloc': { layer: 1, mayDependOn: ['@k/x86-cpu'] },
  '@k/slab': { layer: 2, mayDependOn: ['@k/page-alloc'] },
  '@k/freebsd-malloc': { layer: 2, mayDependOn: ['@k/page-alloc'] },
  '@k/irq': { layer: 2, mayDependOn: ['@k/x86-cpu', '@k/slab'] },
  '@k/syscall': { layer: 3, mayDependOn: ['@k/x86-cpu', '@k/irq'] },
  '@k/procfs': { layer: 3, mayDependOn: ['@k/slab'] },
  '@k/kernel': {
    layer: 4,
    mayDependOn: [
      '@k/x86-cpu',
      '@k/bootloader',
      '@k/page-alloc',
      '@k/slab',
      '@k/freebsd-malloc',
      '@k/irq',
      '@k/syscall',
      '@k/procfs',
    ],
  },
  '@k/sim': { layer: 5, mayDependOn: ['@k/kernel'] },
};

/** Every package `name` may import: its listed dependencies and theirs, transitively. */
export function allowedDependencies(name, table = LAYERS) {
  const allowed = new Set();
  const pending = [...(table[name]?.mayDependOn ?? [])];
  while (pending.length > 0) {
    const dep = pending.pop();
    if (allowed.has(dep)) continue;
    allowed.add(dep);
    pending.push(...(table[dep]?.mayDependOn ?? []));
  }
  return allowed;
}
