#!/usr/bin/env python3
"""seed.py IMAGE OUT [KEEP_CHUNKS]: a small fuzzing seed from a real image.

Takes the payload out of the executable (it ends the file, with its
trailer) and rebuilds it with every record but only the first KEEP_CHUNKS page chunks
(default 3) and their data, checksums recomputed, so the seed is a valid
payload of a few tens of KiB that exercises every record type the image has.
"""
import struct
import sys

PAGE = 4096
TRAILER = struct.Struct("<8sIIQQQIIQ")      # struct fz_trailer
REC = struct.Struct("<IIQ")                 # struct fz_record
CHUNK = struct.Struct("<QIIQQQ")            # struct fz_chunk
REC_CHUNK = 5


def xxh64(data):
    """XXH64, seed 0 (the image's checksum)."""
    p1, p2, p3, p4, p5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F,
                          0x165667B19E3779F9, 0x85EBCA77C2B2AE63,
                          0x27D4EB2F165667C5)
    m = (1 << 64) - 1
    rotl = lambda x, r: ((x << r) | (x >> (64 - r))) & m
    rnd = lambda acc, v: (rotl((acc + v * p2) & m, 31) * p1) & m
    n, i = len(data), 0
    if n >= 32:
        v = [(p1 + p2) & m, p2, 0, (-p1) & m]
        while i + 32 <= n:
            for k in range(4):
                v[k] = rnd(v[k], struct.unpack_from("<Q", data, i + 8 * k)[0])
            i += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & m
        for k in range(4):
            h = ((h ^ rnd(0, v[k])) * p1 + p4) & m
    else:
        h = p5
    h = (h + n) & m
    while i + 8 <= n:
        h = (rotl(h ^ rnd(0, struct.unpack_from("<Q", data, i)[0]), 27) * p1 + p4) & m
        i += 8
    if i + 4 <= n:
        h = (rotl(h ^ (struct.unpack_from("<I", data, i)[0] * p1) & m, 23) * p2 + p3) & m
        i += 4
    while i < n:
        h = (rotl(h ^ (data[i] * p5) & m, 11) * p1) & m
        i += 1
    h ^= h >> 33
    h = (h * p2) & m
    h ^= h >> 29
    h = (h * p3) & m
    return h ^ (h >> 32)


def payload_of(image):
    size = TRAILER.unpack_from(image, len(image) - TRAILER.size)[3]
    return image[len(image) - size:]


def compact(payload, keep):
    magic, version, tsize, _size, roff, rsize, count, enc, _ = \
        TRAILER.unpack_from(payload, len(payload) - TRAILER.size)
    data, records, kept, n = bytearray(), bytearray(), 0, 0
    off = roff
    while off < roff + rsize:
        typ, size, _ = REC.unpack_from(payload, off)
        body = bytearray(payload[off + REC.size:off + REC.size + size])
        off += REC.size + (size + 7) // 8 * 8
        if typ == REC_CHUNK:
            if kept == keep:
                continue
            addr, npages, cenc, doff, dsize, _ = CHUNK.unpack_from(body)
            chunk = payload[doff:doff + dsize]
            CHUNK.pack_into(body, 0, addr, npages, cenc, len(data), dsize, xxh64(chunk))
            data += chunk + b"\0" * (-dsize % PAGE)
            kept += 1
        records += REC.pack(typ, size, xxh64(bytes(body))) + body + b"\0" * (-size % 8)
        n += 1
    tail = TRAILER.pack(magic, version, tsize, len(data) + len(records) + TRAILER.size,
                        len(data), len(records), n, enc, 0)
    tail = tail[:-8] + struct.pack("<Q", xxh64(tail[:-8]))
    return bytes(data + records + tail)


def main():
    keep = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    with open(sys.argv[1], "rb") as f:
        payload = payload_of(f.read())
    with open(sys.argv[2], "wb") as f:
        f.write(compact(payload, keep))


if __name__ == "__main__":
    main()
