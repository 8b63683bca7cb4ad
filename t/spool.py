#!/usr/bin/env python3
"""spool.py DIR [--damage | --dump]: what an http sink's spool holds, read independently
of the agent (its record format: "LGS1", u32 body length, u32 events, u32 CRC,
u16 key length, u16 flags, u32 zero, key, body; little-endian).

Prints "records N events M bytes B". With --damage, flips one byte inside the
body of the middle record of the first segment and prints that record's
"events E key K" instead. With --dump, writes every record's body, gunzipped
when it is gzip, to stdout."""
import os, struct, sys, zlib

def records(path):
    data = open(path, "rb").read()
    off = 0
    while off + 24 <= len(data):
        magic, blen, nev, crc, klen, flags, zero = struct.unpack_from("<4sIIIHHI", data, off)
        assert magic == b"LGS1" and zero == 0, (path, off)
        key = data[off + 24:off + 24 + klen]
        body = data[off + 24 + klen:off + 24 + klen + blen]
        hdr = bytearray(data[off:off + 24]); hdr[12:16] = b"\0\0\0\0"
        assert zlib.crc32(body, zlib.crc32(key, zlib.crc32(bytes(hdr)))) == crc, (path, off)
        yield off, 24 + klen + blen, nev, key.decode(), flags
        off += 24 + klen + blen

d = sys.argv[1]
segs = sorted(f for f in os.listdir(d) if f.endswith(".seg"))
if "--damage" in sys.argv:
    path = os.path.join(d, segs[0])
    recs = list(records(path))
    off, size, nev, key, _ = recs[len(recs) // 2]
    with open(path, "r+b") as f:
        f.seek(off + size - 5)
        b = f.read(1)
        f.seek(off + size - 5)
        f.write(bytes([b[0] ^ 0xff]))
    print("events %d key %s" % (nev, key))
    sys.exit(0)
if "--dump" in sys.argv:
    for s in segs:
        data = open(os.path.join(d, s), "rb").read()
        for off, size, nev, key, flags in records(os.path.join(d, s)):
            body = data[off + size - (size - 24 - len(key.encode())):off + size]
            if body[:2] == b"\x1f\x8b":
                body = zlib.decompress(body, 47)
            sys.stdout.buffer.write(body)
    sys.exit(0)
n = ev = by = 0
for s in segs:
    for off, size, nev, key, flags in records(os.path.join(d, s)):
        n += 1; ev += nev; by += size
print("records %d events %d bytes %d" % (n, ev, by))
