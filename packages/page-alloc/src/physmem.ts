// What the allocator needs of the machine's RAM: @k/x86-cpu's PhysicalMemory satisfies this
// structurally. Declared here so the package's types do not need the CPU package built.

export interface PhysicalMemoryLike {
  /** RAM size in bytes. */
  readonly size: number;
  read8(addr: number): number;
  read16(addr: number): number;
  read32(addr: number): number;
  write8(addr: number, value: number): void;
  write16(addr: number, value: number): void;
  write32(addr: number, value: number): void;
  readBytes(addr: number, length: number): Uint8Array;
  writeBytes(addr: number, bytes: Uint8Array): void;
  /** Sets `length` bytes; zero-filling whole 4 KiB frames releases their host memory. */
  fill(addr: number, length: number, value?: number): void;
  copy(dst: number, src: number, length: number): void;
}
