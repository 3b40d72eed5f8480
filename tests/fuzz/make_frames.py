#!/usr/bin/python3
"""make_frames.py OUTDIR — seed inputs for fuzz_apply and fuzz_wire, built
with the test peer's own chain code (tests/peer.py: Chain, wire_block,
hello, frame), so the seeds are the frames a real peer sends.

Needs the protoc-generated modules records_pb2 and wire_pb2 on MF_PB_DIR
(tests/fuzz/make_seeds.sh generates them as tests/sync_peer.sh does).

OUTDIR/apply/*: one mode byte, then an encoded wire Batch (fuzz_apply.c).
OUTDIR/wire/*:  frames, each a 2-byte little-endian length and the bytes
                of one encoded wire Frame (fuzz_wire.c).
"""
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import peer  # noqa: E402  (tests/peer.py; imports records_pb2, wire_pb2)
from peer import Chain, wire_block, hello, frame, records_pb2, wire_pb2  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

REGION = "RU-EVL"   # fuzz_apply's fixture region


def batch(origin, after, blocks, complete_to, end=True, omit=()):
    b = wire_pb2.Batch(origin=origin, after=after, complete_to=complete_to, end=end)
    for blk in blocks:
        b.blocks.append(wire_block(blk, omit))
    return b


def frames(*fs):
    return b"".join(struct.pack("<H", len(f)) + f for f in fs)


def main():
    out = sys.argv[1]
    for d in ("apply", "wire"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    # the fixture key: fuzz_wire.c trusts its public key for RU-EVL, so the
    # seed batches verify there (fuzz_apply signs with keys of its own)
    sk = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"mentorfed fuzz fixture").digest())
    seeds_apply = {}
    seeds_wire = {}

    for scen in ("good", "altered", "withheld", "nolink", "forged"):
        c, blocks = peer.scenario_chain(REGION, sk, scen)
        last = blocks[-1][4]
        b = batch(REGION, 0, blocks, last).SerializeToString()
        for mode in (0, 1, 3, 7):
            seeds_apply["%s-mode%d" % (scen, mode)] = bytes([mode]) + b
        seeds_wire[scen] = frames(hello(REGION, {REGION: last}), frame(batch=wire_pb2.Batch.FromString(b)))

    # a longer chain: blocks of several sizes, a tombstone, updates
    c = Chain(REGION, sk)
    blks = []
    for i in range(6):
        vs = [c.version("k%d" % (i * 3 + j), "School %d" % (i * 3 + j)) for j in range(1 + i % 3)]
        blks.append(c.seal(vs))
    v = c.version("k0", "School 0")
    v.deleted = True
    v.body = b""
    blks.append(c.seal([v]))
    last = blks[-1][4]
    b = batch(REGION, 0, blks, last).SerializeToString()
    seeds_apply["chain-mode1"] = bytes([1]) + b
    seeds_apply["chain-mode7"] = bytes([7]) + b
    # the stream in two batches, and complete_to below what was sent
    seeds_apply["split-first"] = bytes([1]) + batch(REGION, 0, blks[:3], last, end=False).SerializeToString()
    seeds_apply["low-complete"] = bytes([1]) + batch(REGION, 0, blks, 1).SerializeToString()

    h = hello(REGION, {REGION: last, "RU-TOM": 0})
    seeds_wire["chain"] = frames(h, frame(batch=wire_pb2.Batch.FromString(b)))
    seeds_wire["want"] = frames(h, frame(want=wire_pb2.Want(origin="RU-TOM", after=0, credit=3)))
    seeds_wire["want-credit"] = frames(h, frame(want=wire_pb2.Want(origin="RU-TOM", after=2, credit=1)),
                                       frame(credit=wire_pb2.Credit(origin="RU-TOM", credit=4)))
    seeds_wire["announce"] = frames(h, frame(announce=wire_pb2.Announce(
        vv=[wire_pb2.VvEntry(origin=REGION, seq=last), wire_pb2.VvEntry(origin="RU-CHE", seq=9)])))
    seeds_wire["heartbeat"] = frames(h, frame(heartbeat=wire_pb2.Heartbeat(time_ms=1700000000000)))
    seeds_wire["error"] = frames(h, frame(error=wire_pb2.Error(code=6, message="withheld", origin=REGION)))
    seeds_wire["hello-first"] = frames(frame(want=wire_pb2.Want(origin="RU-TOM", after=0, credit=3)), h)
    seeds_wire["version2"] = frames(hello(REGION, {}, protocol=2), h)
    seeds_wire["rehello"] = frames(h, h, frame(want=wire_pb2.Want(origin="RU-TOM", after=0, credit=16)))
    seeds_wire["garbage"] = frames(b"\xff\x00garbage", h)

    for d, seeds in (("apply", seeds_apply), ("wire", seeds_wire)):
        for name, data in seeds.items():
            with open(os.path.join(out, d, name), "wb") as fh:
                fh.write(data)
    print("make_frames.py: %d apply seeds, %d wire seeds" % (len(seeds_apply), len(seeds_wire)))


if __name__ == "__main__":
    main()
