/** Guest binaries assembled from nasm sources, embedded by tsup's and vitest's binary loaders. */
declare module '*.bin' {
  const bytes: Uint8Array;
  export default bytes;
}
