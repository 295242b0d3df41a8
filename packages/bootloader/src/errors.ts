// The package's host-side error: bad input to a builder or parser. The message names the field and
// the value; `field` and `value` carry them for tools.

export class BootImageError extends RangeError {
  override name = 'BootImageError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export const hex = (n: number, width = 8): string => `0x${n.toString(16).padStart(width, '0')}`;
