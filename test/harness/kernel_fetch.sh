#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch a Debian distribution kernel for the decoder's kernel sweep
# (test/unit/test_decode_kernel.c): the image package that
# linux-image-cloud-amd64 depends on, downloaded with apt-get download
# (never installed), its /boot/vmlinuz-* unpacked and the vmlinux ELF
# taken out of it (test/harness/vmlinux_extract.py).
#
# Usage: kernel_fetch.sh DIR. Leaves DIR/vmlinux and DIR/vmlinux.source
# (package and version). When that cannot be done, DIR/unavailable says
# why and the sweep is skipped with that reason; the script still exits 0.
# A vmlinux of the current version is kept, not fetched again.
set -e

META=linux-image-cloud-amd64
DIR=${1:?usage: kernel_fetch.sh DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo -n"
else
	SUDO=none
fi

# No kernel of the current version: say why. An older vmlinux stays in
# use; without one the sweep is skipped with this reason.
unavailable() {
	rm -rf "$DIR/fetch"
	if [ -s "$DIR/vmlinux" ]; then
		echo "kernel: $*; keeping $(cat "$DIR/vmlinux.source" 2>/dev/null)"
		exit 0
	fi
	echo "$*" >"$DIR/unavailable"
	echo "kernel: $*; the kernel sweep will be skipped"
	exit 0
}

# The image package the metapackage depends on (e.g.
# linux-image-6.1.0-57-cloud-amd64) and its candidate version.
resolve() {
	pkg=$(apt-cache depends "$META" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	ver=""
	[ -n "$pkg" ] || return 1
	ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
		awk '$1 == "Version:" { print $2; exit }')
}

# Download $pkg into $DIR/fetch; the first error line in $why on failure.
download() {
	rm -rf "$DIR/fetch"
	mkdir -p "$DIR/fetch"
	echo "kernel: apt-get download $pkg ($ver) into $DIR (not installed)"
	(cd "$DIR/fetch" && apt-get download -q "$pkg" >log 2>&1) && return 0
	why=$(grep -E '^(E|Err):' "$DIR/fetch/log" | head -1)
	why=${why:-apt-get download failed}
	return 1
}

# Package lists may be missing (a fresh machine) or stale (the version
# they name is gone from the archive): refresh them once, if we may.
refreshed=0
refresh() {
	[ "$SUDO" != none ] && [ $refreshed -eq 0 ] || return 1
	refreshed=1
	$SUDO apt-get update -qq >/dev/null 2>&1
}

if ! resolve; then
	refresh && resolve ||
		unavailable "apt-cache knows no $META (no Debian package lists?)"
fi
if [ -s "$DIR/vmlinux" ] &&
	[ "$(cat "$DIR/vmlinux.source" 2>/dev/null)" = "$pkg $ver" ]; then
	rm -f "$DIR/unavailable"
	exit 0
fi
if ! download; then
	refresh && resolve && download ||
		unavailable "apt-get download $pkg failed: $why"
fi
deb=$(ls "$DIR"/fetch/*.deb)
echo "kernel: downloaded $(basename "$deb") ($(wc -c <"$deb") bytes)"

# dpkg-deb's file system tar, of which only /boot/vmlinuz-* is unpacked
mkdir -p "$DIR/fetch/root"
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$DIR/fetch/root" --wildcards './boot/vmlinuz-*' ||
	unavailable "no /boot/vmlinuz-* in $(basename "$deb")"
bz=$(ls "$DIR"/fetch/root/boot/vmlinuz-* | head -1)
python3 "$HERE/vmlinux_extract.py" "$bz" "$DIR/fetch/vmlinux" ||
	unavailable "no vmlinux could be extracted from $(basename "$bz")"
mv "$DIR/fetch/vmlinux" "$DIR/vmlinux"
echo "$pkg $ver" >"$DIR/vmlinux.source"
rm -f "$DIR/unavailable"
rm -rf "$DIR/fetch"
echo "kernel: $DIR/vmlinux from $(basename "$bz") ($pkg $ver)"
