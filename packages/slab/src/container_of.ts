// C struct layouts in simulated memory: field offsets, sizes and alignment as GCC lays them out
// for i386 (the System V i386 ABI: no field is aligned to more than 4 bytes), with offsetof()
// and container_of() from include/linux/stddef.h and include/linux/container_of.h.

import { badArgument } from './errors.js';

/** A scalar C type, by its i386 size. */
export type ScalarType =
  | 'u8'
  | 's8'
  | 'char'
  | 'u16'
  | 's16'
  | 'u32'
  | 's32'
  | 'int'
  | 'long'
  | 'ptr'
  | 'u64';

/** A field's type: a scalar, an array of a type, or an embedded struct. */
export type FieldType = ScalarType | ArrayType | StructLayout<string>;

export interface ArrayType {
  readonly kind: 'array';
  readonly of: FieldType;
  readonly length: number;
}

/** `T name[length]` */
export function array(of: FieldType, length: number): ArrayType {
  if (!Number.isInteger(length) || length < 0)
    badArgument('array', 'length', 'a non-negative integer', length);
  return { kind: 'array', of, length };
}

/** `char name[length]` */
export function char(length: number): ArrayType {
  return array('char', length);
}

const SCALAR: Record<ScalarType, [size: number, align: number]> = {
  u8: [1, 1],
  s8: [1, 1],
  char: [1, 1],
  u16: [2, 2],
  s16: [2, 2],
  u32: [4, 4],
  s32: [4, 4],
  int: [4, 4],
  long: [4, 4],
  ptr: [4, 4],
  u64: [8, 4],
};

export interface FieldInfo {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  readonly type: FieldType;
}

/** A laid-out struct: its size (padded to its alignment), alignment and fields in order. */
export interface StructLayout<F extends string> {
  readonly kind: 'struct';
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: Readonly<Record<F, FieldInfo>>;
  readonly order: readonly FieldInfo[];
}

function sizeAlign(type: FieldType): [number, number] {
  if (typeof type === 'string') {
    const s = SCALAR[type];
    if (s === undefined) badArgument('defineStruct', 'type', 'a known scalar type', type);
    return s;
  }
  if (type.kind === 'array') {
    const [size, align] = sizeAlign(type.of);
    return [size * type.length, align];
  }
  return [type.size, type.align];
}

/**
 * Lays out `struct name { ... }` from its fields in declaration order, like the compiler: each
 * field at the next multiple of its alignment, the whole padded to the largest alignment.
 */
export function defineStruct<const F extends string>(
  name: string,
  fields: readonly (readonly [F, FieldType])[],
): StructLayout<F> {
  let offset = 0;
  let structAlign = 1;
  const byName = {} as Record<F, FieldInfo>;
  const order: FieldInfo[] = [];
  for (const [field, type] of fields) {
    if (field in byName) badArgument('defineStruct', 'field', `unique in struct ${name}`, field);
    const [size, align] = sizeAlign(type);
    offset = (offset + align - 1) & -align;
    const info: FieldInfo = { name: field, offset, size, align, type };
    byName[field] = info;
    order.push(info);
    offset += size;
    if (align > structAlign) structAlign = align;
  }
  const size = (offset + structAlign - 1) & -structAlign;
  return { kind: 'struct', name, size, align: structAlign, fields: byName, order };
}

/** offsetof(type, member) */
export function offsetof<F extends string>(type: StructLayout<F>, member: F): number {
  const f = type.fields[member];
  if (f === undefined) badArgument('offsetof', 'member', `a field of struct ${type.name}`, member);
  return f.offset;
}

/** container_of(ptr, type, member): the address of the struct whose `member` is at `ptr`. */
export function container_of<F extends string>(ptr: number, type: StructLayout<F>, member: F): number {
  return (ptr - offsetof(type, member)) >>> 0;
}

/** sizeof(struct type) */
export function sizeof(type: StructLayout<string>): number {
  return type.size;
}

/** The byte-level accessors a struct needs; @k/x86-cpu's PhysicalMemory and the slab's view fit. */
export interface ByteMemory {
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  write8(addr: number, value: number): void;
  write16(addr: number, value: number): void;
  write32(addr: number, value: number): void;
}

/** Reads scalar field `member` of the struct at `base` (`base->member`). */
export function readField<F extends string>(
  memory: ByteMemory,
  type: StructLayout<F>,
  base: number,
  member: F,
): number {
  const f = type.fields[member];
  if (f === undefined) badArgument('readField', 'member', `a field of struct ${type.name}`, member);
  const addr = base + f.offset;
  switch (f.type) {
    case 'u8':
    case 'char':
      return memory.read8(addr);
    case 's8':
      return (memory.read8(addr) << 24) >> 24;
    case 'u16':
      return memory.read16(addr);
    case 's16':
      return (memory.read16(addr) << 16) >> 16;
    case 'u32':
    case 'ptr':
      return memory.read32(addr);
    case 's32':
    case 'int':
    case 'long':
      return memory.read32(addr) | 0;
    default:
      return badArgument('readField', 'member', 'a scalar field of at most 4 bytes', member);
  }
}

/** Writes scalar field `member` of the struct at `base` (`base->member = value`). */
export function writeField<F extends string>(
  memory: ByteMemory,
  type: StructLayout<F>,
  base: number,
  member: F,
  value: number,
): void {
  const f = type.fields[member];
  if (f === undefined) badArgument('writeField', 'member', `a field of struct ${type.name}`, member);
  const addr = base + f.offset;
  switch (f.size) {
    case 1:
      if (typeof f.type !== 'string') break;
      memory.write8(addr, value);
      return;
    case 2:
      if (typeof f.type !== 'string') break;
      memory.write16(addr, value);
      return;
    case 4:
      if (typeof f.type !== 'string') break;
      memory.write32(addr, value);
      return;
  }
  badArgument('writeField', 'member', 'a scalar field of at most 4 bytes', member);
}
