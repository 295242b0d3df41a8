#!/bin/sh
# Fetches Debian's stock i386 kernel (linux-image-6.1.*-686-unsigned) into the git-ignored cache
# <repo>/.cache/debian-kernel/ once, extracts boot/vmlinuz-*, and prints the bzImage's path.
# Needs apt (Debian/Ubuntu host); run as root the first time (dpkg --add-architecture, apt-get update).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cache="$root/.cache/debian-kernel"
mkdir -p "$cache"
existing=$(ls "$cache"/vmlinuz-* 2>/dev/null | head -n 1 || true)
if [ -n "$existing" ]; then
  echo "$existing"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "fetch-debian-kernel: apt-get not found; cannot download the Debian kernel" >&2; exit 1; }
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  dpkg --add-architecture i386 >&2
fi
apt-get update >&2 || echo "fetch-debian-kernel: apt-get update reported errors; trying with the indexes it did get" >&2
pkg=$(apt-cache search --names-only '^linux-image-6\.1\.[0-9.+-]*-686-unsigned$' | awk '{print $1}' | sort -V | tail -n 1)
[ -n "$pkg" ] || { echo "fetch-debian-kernel: no linux-image-6.1.*-686-unsigned package in the apt sources" >&2; exit 1; }
work="$cache/tmp"
rm -rf "$work"; mkdir -p "$work"
(cd "$work" && apt-get download "$pkg:i386" >&2)
deb=$(ls "$work"/*.deb | head -n 1)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
mv "$work"/boot/vmlinuz-* "$cache"/
rm -rf "$work"
ls "$cache"/vmlinuz-* | head -n 1
