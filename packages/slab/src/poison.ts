// Magic byte values of include/linux/poison.h that SLUB's debugging writes into objects.

/** Padding and, before allocation debugging, a whole new slab: "in use" poison. */
export const POISON_INUSE = 0x5a;
/** A freed object's bytes. */
export const POISON_FREE = 0x6b;
/** The last byte of a freed object. */
export const POISON_END = 0xa5;
/** Red zone of an object that is free (SLUB_RED_INACTIVE). */
export const SLUB_RED_INACTIVE = 0xbb;
/** Red zone of an object that is allocated (SLUB_RED_ACTIVE). */
export const SLUB_RED_ACTIVE = 0xcc;
