#!/usr/bin/env python3
"""Writes a well-formed MP4 of about SIZE_MB mebibytes (ftyp, a small moov, then media data)
for the upload benchmark: bench/make_movie.py PATH SIZE_MB"""
import struct
import sys


def box(kind, payload):
    return struct.pack(">I", len(payload) + 8) + kind + payload


def main():
    path, size_mb = sys.argv[1], int(sys.argv[2])
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = box(b"mvhd", struct.pack(">6I", 0, 0, 0, 1000, 1000, 0x10000)
               + b"\x01\x00" + b"\0" * 10 + matrix + b"\0" * 24 + struct.pack(">I", 2))
    moov = box(b"moov", mvhd)
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41")
    media = size_mb * 1024 * 1024 - len(ftyp) - len(moov) - 8 - 1024
    with open(path, "wb") as out:
        out.write(ftyp)
        out.write(moov)
        out.write(struct.pack(">I", media + 8) + b"mdat")
        block = bytes(range(256)) * 4096
        left = media
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= len(block)


if __name__ == "__main__":
    main()
