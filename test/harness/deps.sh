#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages mica needs to build, run and test, and only
# those that are missing. Prints what it installs. Uses sudo when not root.
set -e

PKGS="make gcc clang nasm binutils python3 grub-pc-bin grub-common xorriso
mtools bochs bochs-term bochsbios vgabios qemu-system-x86 libzydis-dev
libcapstone-dev libclang-rt-14-dev clang-format cppcheck gnuplot-nox"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: need root or sudo to install:$missing" >&2
	exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists; refresh them before installing.
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
