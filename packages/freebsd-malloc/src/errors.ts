// Bad input to the TypeScript API (not guest misbehaviour, which the kernel reports its own way).

/** An impossible argument: the message names the function, the field and the value. */
export class FreeBSDMallocError extends RangeError {
  override name = 'FreeBSDMallocError';
}

/** Throws FreeBSDMallocError("fn: field must be <what>, got <value>"). */
export function badArgument(fn: string, field: string, what: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new FreeBSDMallocError(`${fn}: ${field} must be ${what}, got ${shown}`);
}
