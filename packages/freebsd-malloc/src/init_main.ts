// sys/kern/init_main.c's mi_startup(): sort the SYSINITs by subsystem, then order, and call each
// in turn, marking it SI_SUB_DONE. kern_linker.c uses the same sort for a module's SYSINITs and
// the reverse sort for its SYSUNINITs.

import { SI_SUB_DONE, SI_SUB_DUMMY, type sysinit } from './kernel.js';

/** Ascending (subsystem, order); a stable sort, like the bubble sort in mi_startup. */
export function sysinit_sort(set: sysinit[]): sysinit[] {
  return set
    .map((si, i) => [si, i] as const)
    .sort(([a, i], [b, j]) => a.subsystem - b.subsystem || a.order - b.order || i - j)
    .map(([si]) => si);
}

/** Descending (subsystem, order): linker_file_sysuninit's "reverse bubble sort". */
export function sysuninit_sort(set: sysinit[]): sysinit[] {
  return set
    .map((si, i) => [si, i] as const)
    .sort(([a, i], [b, j]) => b.subsystem - a.subsystem || b.order - a.order || i - j)
    .map(([si]) => si);
}

/**
 * Runs every not-yet-done SYSINIT of `set` in (subsystem, order) order. If a SYSINIT adds entries
 * to `set` (as linker_preload does through sysinit_add()), the scan restarts over the re-sorted set,
 * skipping what already ran — the way mi_startup handles newsysinit.
 */
export function mi_startup(set: sysinit[], trace?: (si: sysinit) => void): void {
  for (;;) {
    const length = set.length;
    let restarted = false;
    for (const si of sysinit_sort(set)) {
      if (si.subsystem === SI_SUB_DUMMY || si.subsystem === SI_SUB_DONE) continue;
      trace?.(si);
      si.func(si.udata);
      si.subsystem = SI_SUB_DONE;
      if (set.length !== length) {
        restarted = true;
        break;
      }
    }
    if (!restarted) return;
  }
}
