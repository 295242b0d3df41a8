export { ZERO_OR_NULL_PTR, ZERO_SIZE_PTR } from './slab.js';
