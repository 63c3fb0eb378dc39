#!/bin/sh
# SPDX-License-Identifier: MIT
# Build a GRUB (BIOS) rescue ISO that boots mica via multiboot2.
#   mkiso.sh OUT.iso KERNEL.elf [--cmdline "..."] [--module FILE "ARGS"]...
# Each module is passed with its command line (docs/design.md section 7).
set -e
out=$1
kernel=$2
shift 2
cmdline=""
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/boot/grub" "$root/boot/mods"
cp "$kernel" "$root/boot/mica.elf"
mods=""
n=0
while [ $# -gt 0 ]; do
	case $1 in
	--cmdline) cmdline=$2; shift 2 ;;
	--module)
		n=$((n + 1))
		cp "$2" "$root/boot/mods/m$n"
		mods="$mods	module2 /boot/mods/m$n $3
"
		shift 3 ;;
	*) echo "mkiso: unknown argument $1" >&2; exit 2 ;;
	esac
done
cat > "$root/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "mica" {
	multiboot2 /boot/mica.elf $cmdline
$mods	boot
}
CFG
grub-mkrescue -d /usr/lib/grub/i386-pc -o "$out" "$root" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
