#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The uncompressed vmlinux ELF inside an x86 bzImage.

Usage: vmlinux_extract.py BZIMAGE OUT

The compressed kernel starts where the setup header's payload_offset says
(Linux x86 boot protocol 2.08 and later: setup_sects at 0x1F1, "HdrS" at
0x202, payload_offset/payload_length at 0x248/0x24C, counted from the end
of the real-mode setup code) and ends with its uncompressed size as a
32-bit little-endian word. Older or odd images are searched for the magic
of each format instead. gzip, bzip2, xz and lzma are decompressed by
Python itself, lz4, zstd and lzo by their command-line tools.
"""
import bz2
import lzma
import shutil
import struct
import subprocess
import sys
import zlib

ELF_MAGIC = b"\x7fELF"

# Format name, leading bytes (Linux's compressors: kernel Makefile targets
# vmlinux.bin.{gz,bz2,lzma,xz,lzo,lz4,zst}).
MAGICS = [
    ("gzip", b"\x1f\x8b\x08"),
    ("xz", b"\xfd7zXZ\x00"),
    ("bzip2", b"BZh"),
    ("lzma", b"\x5d\x00\x00"),
    ("lz4", b"\x02\x21\x4c\x18"),
    ("zstd", b"\x28\xb5\x2f\xfd"),
    ("lzo", b"\x89LZO\x00"),
]

# Command-line decompressors: tool, arguments, Debian package.
TOOLS = {
    "lz4": (["lz4", "-dc"], "lz4"),
    "zstd": (["zstd", "-dc", "-q"], "zstd"),
    "lzo": (["lzop", "-dc"], "lzop"),
}


def header_payload(img):
    """(offset, length) of the payload named by the setup header, or None."""
    if len(img) < 0x250 or img[0x202:0x206] != b"HdrS":
        return None
    if struct.unpack_from("<H", img, 0x206)[0] < 0x208:
        return None
    setup_sects = img[0x1F1] or 4  # 0 means 4 (boot protocol)
    off, length = struct.unpack_from("<II", img, 0x248)
    start = (setup_sects + 1) * 512 + off
    if length < 8 or start + length > len(img):
        return None
    return start, length


def fmt_of(data):
    for name, magic in MAGICS:
        if data.startswith(magic):
            return name
    return None


def python_decompress(fmt, data):
    """Decompress one stream, ignoring what follows its end."""
    if fmt == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
    if fmt == "bzip2":
        return bz2.BZ2Decompressor().decompress(data)
    if fmt == "xz":
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(data)


def tool_decompress(fmt, data, exact):
    """Run the format's tool. With trailing bytes after the stream (not
    exact) a tool may complain at the end; its output still counts."""
    argv, pkg = TOOLS[fmt]
    if not shutil.which(argv[0]):
        raise RuntimeError("%s-compressed kernel needs %s (Debian package %s)"
                           % (fmt, argv[0], pkg))
    p = subprocess.run(argv, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0 and (exact or not p.stdout):
        raise RuntimeError("%s: %s" % (argv[0], p.stderr.decode(
            "utf-8", "replace").strip()))
    return p.stdout


def decompress(fmt, data, exact):
    if fmt in TOOLS:
        return tool_decompress(fmt, data, exact)
    return python_decompress(fmt, data)


def from_header(img):
    """vmlinux from the header's payload, or None."""
    hp = header_payload(img)
    if not hp:
        return None
    start, length = hp
    payload = img[start:start + length]
    fmt = fmt_of(payload)
    if not fmt:
        return None
    size = struct.unpack_from("<I", payload, length - 4)[0]
    # gzip ends with its own size word; the others have it appended
    body = payload if fmt == "gzip" else payload[:-4]
    out = decompress(fmt, body, exact=True)
    if len(out) != size:
        raise RuntimeError("%s payload: %d bytes, the image says %d" %
                           (fmt, len(out), size))
    print("vmlinux_extract: %s payload at 0x%x, %d -> %d bytes" %
          (fmt, start, length, len(out)))
    return out


def by_magic(img, tries=64):
    """vmlinux from the first magic whose stream decompresses to an ELF
    (at most `tries` places per format)."""
    view = memoryview(img)
    for name, magic in MAGICS:
        at = img.find(magic)
        for _ in range(tries):
            if at < 0:
                break
            try:
                out = decompress(name, view[at:], exact=False)
            except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
                out = b""
            if out.startswith(ELF_MAGIC):
                print("vmlinux_extract: %s stream at 0x%x (found by magic), "
                      "%d bytes" % (name, at, len(out)))
                return out
            at = img.find(magic, at + 1)
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        img = f.read()
    try:
        out = from_header(img) or by_magic(img)
    except RuntimeError as e:
        print("vmlinux_extract: %s" % e, file=sys.stderr)
        return 1
    if not out or not out.startswith(ELF_MAGIC):
        print("vmlinux_extract: no compressed ELF kernel found in %s" %
              sys.argv[1], file=sys.stderr)
        return 1
    with open(sys.argv[2], "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
