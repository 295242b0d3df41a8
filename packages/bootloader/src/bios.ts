// The k BIOS ROM image (bios/*.asm), 64 KiB, for PC({ rom }).

import bios from './bios/bios.bin';

/** The assembled k BIOS: 64 KiB, mapped at 0xF0000 and at 0xFFFF0000. */
export const BIOS_ROM: Uint8Array = bios;
