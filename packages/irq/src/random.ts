// The input pool that IRQF_SAMPLE_RANDOM feeds (drivers/char/random.c, add_interrupt_randomness):
// each sampled interrupt mixes its irq number and cycle count into the pool and may credit a bit
// of entropy. A small deterministic model: the pool is 128 32-bit words mixed with the kernel's
// twisted-GFSR taps.

const POOL_WORDS = 128;
const TAPS = [104, 76, 51, 25, 1];
const twist_table = [
  0x00000000, 0x3b6e20c8, 0x76dc4190, 0x4db26158, 0xedb88320, 0xd6d6a3e8, 0x9b64c2b0, 0xa00ae278,
];

export class EntropyPool {
  readonly pool = new Uint32Array(POOL_WORDS);
  private add_ptr = 0;
  private rotate = 0;
  /** entropy_count in bits (capped at the pool size). */
  entropy_count = 0;
  /** Interrupt samples mixed in. */
  samples = 0;
  private last_cycles = 0;

  private mix(word: number): void {
    let w = ((word << this.rotate) | (word >>> (32 - this.rotate))) >>> 0;
    if (this.rotate === 0) w = word >>> 0;
    this.add_ptr = (this.add_ptr - 1) & (POOL_WORDS - 1);
    const i = this.add_ptr;
    this.rotate = (this.rotate + (i ? 7 : 14)) & 31;
    for (const t of TAPS) w ^= this.pool[(i + t) & (POOL_WORDS - 1)];
    w ^= this.pool[i];
    this.pool[i] = ((w >>> 3) ^ twist_table[w & 7]) >>> 0;
  }

  /** add_interrupt_randomness(irq): mix the timing; credit one bit when the delta looks random. */
  add_interrupt_randomness(irq: number, cycles: number): void {
    this.samples++;
    this.mix((cycles ^ (irq << 24)) >>> 0);
    this.mix(Math.floor(cycles / 0x1_0000_0000) >>> 0);
    const delta = Math.abs(cycles - this.last_cycles);
    this.last_cycles = cycles;
    if (delta > 1 && this.entropy_count < POOL_WORDS * 32) this.entropy_count++;
  }

  /** /proc/sys/kernel/random/entropy_avail */
  get entropy_avail(): number {
    return this.entropy_count;
  }
}
