// The PIT as the kernel's clock event device: arch/x86/kernel/i8253.c and the i386 timer
// interrupt. Channel 0 in mode 2 (rate generator) divides the 1.193182 MHz input down to HZ, and
// IRQ 0's handler advances jiffies and raises the timer softirq.

import type { IoBus } from '@k/x86-cpu';

export const PIT_TICK_RATE = 1193182;
export const PIT_MODE = 0x43;
export const PIT_CH0 = 0x40;

/** LATCH: the channel 0 divisor for HZ, rounded to nearest. */
export function LATCH(hz: number): number {
  return Math.floor((PIT_TICK_RATE + hz / 2) / hz);
}

/** setup_pit_timer / init_pit_timer(CLOCK_EVT_MODE_PERIODIC): binary, mode 2, LSB/MSB. */
export function setup_pit_timer(io: IoBus, hz: number): number {
  const latch = LATCH(hz);
  io.out8(PIT_MODE, 0x34);
  io.out8(PIT_CH0, latch & 0xff); // LSB
  io.out8(PIT_CH0, latch >>> 8); // MSB
  return latch;
}
