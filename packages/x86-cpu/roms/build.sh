#!/bin/sh
# Re-assembles every test ROM: packages/x86-cpu/roms/*.asm -> *.bin (nasm 2.15+).
cd "$(dirname "$0")" && for f in *.asm; do nasm -f bin -I ./ -o "${f%.asm}.bin" "$f" || exit 1; done
