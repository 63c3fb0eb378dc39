#!/bin/sh
# SPDX-License-Identifier: MIT
# make lint: every tracked C file is clang-formatted, and cppcheck finds
# nothing in the pure modules and the hypervisor sources.
set -e
cd "$(dirname "$0")/../.."
files=$(git ls-files '*.c' '*.h')
clang-format --dry-run --Werror $files
srcs=$(git ls-files 'boot/*.c' 'arch/*.c' 'mm/*.c' 'ept/*.c' 'vmm/*.c' 'drivers/*.c')
cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	--std=c11 --inline-suppr -I . \
	--suppress=missingIncludeSystem \
	$srcs
echo "lint: clean ($(echo $files | wc -w) files formatted, $(echo $srcs | wc -w) checked)"
