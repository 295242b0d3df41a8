import { GFP_KERNEL } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import { machine } from '../test/machine.js';
import {
  array,
  char,
  container_of,
  defineStruct,
  offsetof,
  readField,
  sizeof,
  writeField,
} from './container_of.js';

// The seed's example: struct student, whose phone_num sits at offset 84.
const student = defineStruct('student', [
  ['name', char(16)],
  ['id', 'int'],
  ['addr', char(64)],
  ['phone_num', char(16)],
]);

describe('struct layouts', () => {
  it('lays out struct student like GCC on i386', () => {
    expect(offsetof(student, 'name')).toBe(0);
    expect(offsetof(student, 'id')).toBe(16);
    expect(offsetof(student, 'addr')).toBe(20);
    expect(offsetof(student, 'phone_num')).toBe(84);
    expect(sizeof(student)).toBe(100);
  });

  it('pads fields to their alignment and the struct to its largest', () => {
    const s = defineStruct('mixed', [
      ['c', 'char'],
      ['s', 's16'],
      ['p', 'ptr'],
      ['b', 'u8'],
      ['q', 'u64'],
      ['arr', array('u16', 3)],
    ]);
    expect([
      s.fields.c.offset,
      s.fields.s.offset,
      s.fields.p.offset,
      s.fields.b.offset,
      s.fields.q.offset,
    ]).toEqual([0, 2, 4, 8, 12]);
    expect(s.fields.arr.offset).toBe(20);
    expect(s.size).toBe(28);
    expect(s.align).toBe(4);
    const outer = defineStruct('outer', [
      ['flag', 'u8'],
      ['inner', s],
    ]);
    expect(offsetof(outer, 'inner')).toBe(4);
  });

  it('finds the containing struct from a member pointer with container_of', () => {
    const { slab } = machine();
    const cache = slab.kmem_cache_create('student', sizeof(student), 0, 0, null)!;
    const x = slab.kmem_cache_alloc(cache, GFP_KERNEL);
    const phone = x + offsetof(student, 'phone_num');
    expect(phone - x).toBe(84);
    expect(container_of(phone, student, 'phone_num')).toBe(x);
    const mem = slab.vmem;
    writeField(mem, student, x, 'id', -42);
    expect(readField(mem, student, x, 'id')).toBe(-42);
    expect(() => readField(mem, student, x, 'name')).toThrow(/scalar field/);
    expect(() => offsetof(student, 'nope' as 'id')).toThrow(
      /member must be a field of struct student, got "nope"/,
    );
  });
});
