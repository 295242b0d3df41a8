export { FreeBSDMallocError } from './errors.js';
export { FreeBSDMalloc, type FreeBSDMallocOptions } from './freebsdMalloc.js';
export { mi_startup, sysinit_sort, sysuninit_sort } from './init_main.js';
export { type KernelModule, Linker, linker_file, type MallocHooks } from './kern_linker.js';
export {
  KernMalloc,
  type KernMallocOptions,
  KMEM_ZBASE,
  KMEM_ZMAX,
  KMEM_ZSHIFT,
  kmemzones_sizes,
  type malloc_type_stats,
  REALLOC_FRACTION,
  read_cstring,
} from './kern_malloc.js';
export {
  EBUSY,
  EEXIST,
  EINVAL,
  ENOENT,
  EOPNOTSUPP,
  MOD_LOAD,
  MOD_QUIESCE,
  MOD_SHUTDOWN,
  MOD_UNLOAD,
  ModuleList,
  type modeventhand_t,
  type module,
  type moduledata_t,
} from './kern_module.js';
export { fmtp, Panic, panic } from './kern_shutdown.js';
export * from './kernel.js';
export * from './malloc.js';
export * from './uma.js';
export {
  type InvariantsMode,
  Uma,
  type UmaOptions,
  uma_keg,
  uma_zone,
  type uma_zone_stats,
} from './uma_core.js';
export { bucket_select, bucket_zones, SLAB_SETSIZE } from './uma_int.js';
export { malloc2gfp, PG_EXEC, PG_NODUMP, type VmPageAllocator } from './vm_kern.js';
export { vmstat_m, vmstat_z } from './vmstat.js';
