// Bad input to a host-side API of this package (an impossible argument, not a guest mistake):
// the message names the field and the value. Guest-visible mistakes are reported the kernel way
// (NULL, printk) instead.

export class PageAllocError extends RangeError {
  override name = 'PageAllocError';
}
