// The seed's lookaside-cache example: the SCSI midlayer keeps its struct scsi_cmnd objects in a
// cache of its own instead of kmalloc'ing each one.
//
//   scsi_cmd_cache = kmem_cache_create("scsi_cmd_cache", sizeof(struct scsi_cmnd), 0,
//                                      SLAB_HWCACHE_ALIGN, NULL);
//   cmd = kmem_cache_alloc(scsi_cmd_cache, GFP_KERNEL);
//   ...
//   kmem_cache_free(scsi_cmd_cache, cmd);
//   kmem_cache_destroy(scsi_cmd_cache);
import { GFP_KERNEL } from '@k/page-alloc';
import { describe, expect, it } from 'vitest';
import {
  array,
  defineStruct,
  readField,
  SLAB_HWCACHE_ALIGN,
  sizeof,
  slabinfo,
  writeField,
} from '../src/index.js';
import { machine } from './machine.js';

const scsi_cmnd = defineStruct('scsi_cmnd', [
  ['device', 'ptr'],
  ['list_next', 'ptr'],
  ['list_prev', 'ptr'],
  ['serial_number', 'u32'],
  ['jiffies_at_alloc', 'u32'],
  ['retries', 'int'],
  ['allowed', 'int'],
  ['timeout_per_command', 'int'],
  ['cmd_len', 'u16'],
  ['sc_data_direction', 'u8'],
  ['cmnd', array('u8', 16)],
  ['request_bufflen', 'u32'],
  ['request_buffer', 'ptr'],
  ['sense_buffer', array('u8', 96)],
  ['result', 'int'],
]);

describe("the seed's scsi_cmnd lookaside cache", () => {
  it('is created, used for many allocate/free rounds, shrunk and destroyed', () => {
    const { slab, pages } = machine();
    const before = pages.nr_free_pages();
    const scsi_cmd_cache = slab.kmem_cache_create(
      'scsi_cmd_cache',
      sizeof(scsi_cmnd),
      0,
      SLAB_HWCACHE_ALIGN,
      null,
    )!;
    expect(scsi_cmd_cache.size % 64).toBe(0);
    expect(slabinfo(slab).split('\n')[2]).toBe(
      'scsi_cmd_cache         0      0    192   21    1 : tunables    0    0    0 : slabdata      0      0      0',
    );

    let serial = 0;
    for (let round = 0; round < 200; round++) {
      const inflight: number[] = [];
      for (let i = 0; i < 1 + (round % 37); i++) {
        const cmd = slab.kmem_cache_alloc(scsi_cmd_cache, GFP_KERNEL);
        expect(cmd).not.toBe(0);
        expect(cmd % 64).toBe(0);
        writeField(slab.vmem, scsi_cmnd, cmd, 'serial_number', ++serial);
        writeField(slab.vmem, scsi_cmnd, cmd, 'cmd_len', 10);
        inflight.push(cmd);
      }
      for (const cmd of inflight) {
        expect(readField(slab.vmem, scsi_cmnd, cmd, 'cmd_len')).toBe(10);
        slab.kmem_cache_free(scsi_cmd_cache, cmd);
      }
    }
    expect(scsi_cmd_cache.nr_allocated).toBe(0);
    expect(scsi_cmd_cache.nr_slabs).toBeGreaterThan(0);
    expect(slab.kmem_cache_shrink(scsi_cmd_cache)).toBe(0);
    expect(scsi_cmd_cache.nr_slabs).toBe(0);
    slab.kmem_cache_destroy(scsi_cmd_cache);
    expect(slabinfo(slab)).not.toContain('scsi_cmd_cache');
    for (const s of slab.slab_caches) slab.kmem_cache_shrink(s);
    expect(pages.nr_free_pages()).toBeGreaterThanOrEqual(before);
  });
});
