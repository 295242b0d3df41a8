// Pointer conventions of include/linux/slab.h.

/** kmalloc(0) returns this: a non-NULL pointer that faults when dereferenced. */
export const ZERO_SIZE_PTR = 16;

/** ZERO_OR_NULL_PTR(x): true for NULL and ZERO_SIZE_PTR, which kfree() ignores. */
export function ZERO_OR_NULL_PTR(ptr: number): boolean {
  return ptr >>> 0 <= ZERO_SIZE_PTR;
}
