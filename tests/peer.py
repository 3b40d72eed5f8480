#!/usr/bin/env python3
"""peer.py - an independent mentorfed sync peer for tests, written from
doc/PROTOCOL.md only (pyzmq + protobuf + cryptography, all Debian packages).

It plays a region node ("RU-EVL" by default) that misbehaves on request:

  peer.py keys DIR --region R --endpoint E
      create DIR/peer.json (CURVE pair, Ed25519 key) and DIR/peer.card, a
      card `mentorfed peer add` accepts.
  peer.py serve DIR --scenario S [--timeout T]
      bind a CURVE ROUTER at the card's endpoint and answer the node that
      connects: Hello, then the scenario's Batches for every Want.
      Hostile scenarios (issue 12): beyond (a version stripped and
      complete_to below the block), oversized (1000 leaves x 9 KiB),
      spin (announces seq 2, sends only empty end batches; --also DIR
      serves a second origin honestly).
  peer.py client DIR --connect E --server-key K --scenario S
      connect a DEALER to a node's listener and send the scenario's frames.

Protocol versions (PROTOCOL.md, "Versions between releases"): --protocol N
and --protocol-max M set the Hello's range (default 1 and none: a node of
the first release, which knows nothing of protocol_max).  The client's
`version` scenario offers --protocol (default 9, a version nobody speaks).

Every run prints one JSON object (what the peer saw) as its last line.
The generated records_pb2 / wire_pb2 modules are found through $MF_PB_DIR.
"""
import argparse
import hashlib
import json
import os
import struct
import sys
import time

sys.path.insert(0, os.environ.get("MF_PB_DIR", "."))
import zmq  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
import records_pb2  # noqa: E402
import wire_pb2  # noqa: E402

PROTOCOL = 1


# ------------------------------------------------------------------ records

def version_hash(vid, kind, origin, seq, hlc, deleted, body):
    """SHA-256 over the canonical form (PROTOCOL.md, "Version hash")."""
    h = hashlib.sha256(b"mentorfed-version-1\x00")
    for s in (vid, kind, origin):
        b = s.encode()
        h.update(struct.pack(">I", len(b)) + b)
    h.update(struct.pack(">QQB", seq, hlc, 1 if deleted else 0))
    h.update(struct.pack(">I", len(body)) + body)
    return h.digest()


def make_id(region, kind, key):
    return "%s:%s:%s" % (region, kind, hashlib.sha256(kind.encode() + b"\0" + key.encode()).hexdigest()[:16])


class Chain:
    """An origin's chain of signed blocks, built like a real node does."""

    def __init__(self, region, sk):
        self.region = region
        self.sk = sk
        self.seq = 0
        self.head = b""
        self.hlc = int(time.time() * 1000) << 16
        self.blocks = []      # (header_bytes, sig, [version bytes or None per leaf], first, last)
        self.current = {}     # id -> seq of its current version

    def version(self, key, name):
        self.seq += 1
        self.hlc += 1
        vid = make_id(self.region, "school", key)
        body = records_pb2.School(name=name, municipality="Test").SerializeToString()
        v = records_pb2.Version(id=vid, kind="school", origin=self.region, seq=self.seq,
                                hlc=self.hlc, deleted=False, body=body)
        return v

    def seal(self, versions, sk=None, prev=None):
        first = versions[0].seq
        hdr = records_pb2.BlockHeader(format=1, origin=self.region, first_seq=first,
                                      last_seq=versions[-1].seq,
                                      prev_hash=self.head if prev is None else prev,
                                      hlc=self.hlc)
        for v in versions:
            hdr.leaves.add(id=v.id, hash=version_hash(v.id, v.kind, v.origin, v.seq, v.hlc,
                                                      v.deleted, v.body))
        hb = hdr.SerializeToString()
        sig = (sk or self.sk).sign(hb)
        self.head = hashlib.sha256(hb).digest()
        vb = [v.SerializeToString() for v in versions]
        for v in versions:
            self.current[v.id] = v.seq
        blk = [hb, sig, vb, first, versions[-1].seq]
        self.blocks.append(blk)
        return blk


def wire_block(blk, omit=()):
    """A BlockOnWire with the versions still current (minus `omit` seqs)."""
    hb, sig, vb, first, _last = blk
    w = wire_pb2.BlockOnWire(header=hb, signature=sig)
    for i, v in enumerate(vb):
        if v is not None and first + i not in omit:
            w.versions.append(v)
    return w


def scenario_chain(region, sk, scenario):
    """The blocks a serving peer offers, per scenario."""
    c = Chain(region, sk)
    b1 = c.seal([c.version("k1", "One"), c.version("k2", "Two"), c.version("k3", "Three")])
    b2 = c.seal([c.version("k4", "Four"), c.version("k1", "One, renamed")])
    # k1's first version (seq 1) is superseded by seq 5: a correct stream
    # sends seq 1's leaf without a version.
    v1 = b1[2][0]
    b1[2][0] = None
    blocks = [b1, b2]
    if scenario == "forged":
        other = Ed25519PrivateKey.generate()
        c2 = Chain(region, other)
        f1 = c2.seal([c2.version("k1", "One"), c2.version("k2", "Two"), c2.version("k3", "Three")])
        blocks = [f1]
    elif scenario == "altered":
        v = records_pb2.Version()
        v.ParseFromString(b1[2][1])
        v.body = records_pb2.School(name="Two (altered)", municipality="Test").SerializeToString()
        b1[2][1] = v.SerializeToString()
    elif scenario == "withheld":
        # seq 2 (k2) is still current but is left out of the stream.
        b1[2][1] = None
    elif scenario == "beyond":
        # PROTOCOL.md 5: a relay's poisoned stream: the genuine block
        # 1..3 with seq 3 (still current) stripped and complete_to lowered
        # to 2, below the block, so that the receiver would not look for
        # the missing leaf (seq 1 goes with its superseded version).
        b1[2][0] = v1
        b1[2][2] = None
        blocks = [b1]
    elif scenario == "oversized":
        # PROTOCOL.md 9: 1000 leaves x 9 KiB of bodies = 9 MB in one
        # block, over the 8 MiB sealing cap (the frame itself is < 16 MiB).
        c = Chain(region, sk)
        vs = [c.version("big%d" % i, "x" * (9 * 1024)) for i in range(1000)]
        blocks = [c.seal(vs)]
    elif scenario == "nolink":
        c3 = Chain(region, sk)
        c3.seq = 3
        x = c3.seal([c3.version("k9", "Nine")], prev=b"\x11" * 32)
        blocks = [b1, x]
    return c, blocks


# ------------------------------------------------------------------ frames

def frame(**kw):
    f = wire_pb2.Frame()
    (name, msg), = kw.items()
    getattr(f, name).CopyFrom(msg)
    return f.SerializeToString()


def hello(region, vv, protocol=PROTOCOL, protocol_max=0):
    h = wire_pb2.Hello(protocol=protocol, region=region, max_frame=16 << 20,
                       software="peer.py", capabilities=["relay"])
    if protocol_max:
        h.protocol_max = protocol_max
    for o, s in vv.items():
        h.vv.add(origin=o, seq=s)
    return frame(hello=h)


def given(value, default):
    """A command-line number, or the default when it was not given (0 is a value)."""
    return default if value is None else value


def decode(data):
    f = wire_pb2.Frame()
    f.ParseFromString(data)
    return f


def load_keys(d):
    with open(os.path.join(d, "peer.json")) as fh:
        k = json.load(fh)
    sk = serialization.load_pem_private_key(k["signing_pem"].encode(), None)
    return k, sk


# ------------------------------------------------------------------ commands

def cmd_keys(a):
    os.makedirs(a.dir, exist_ok=True)
    pub, sec = zmq.curve_keypair()
    sk = Ed25519PrivateKey.generate()
    pem = sk.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption()).decode()
    raw = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    k = {"region": a.region, "endpoint": a.endpoint, "curve_pub": pub.decode(),
         "curve_sec": sec.decode(), "signing_pem": pem, "signing_pub": raw.hex()}
    with open(os.path.join(a.dir, "peer.json"), "w") as fh:
        json.dump(k, fh)
    with open(os.path.join(a.dir, "peer.card"), "w") as fh:
        fh.write("region = %s\nname = test peer\nendpoint = %s\nsigning_key = %s\ncurve_key = %s\n"
                 % (a.region, a.endpoint, raw.hex(), pub.decode()))
    print(json.dumps({"curve_pub": pub.decode()}))


def cmd_serve(a):
    k, sk = load_keys(a.dir)
    region = k["region"]
    chain, blocks = scenario_chain(region, sk, a.scenario)
    vv = {region: blocks[-1][4]}
    # What each batch claims as complete_to (PROTOCOL.md 5).
    complete_to = {region: 2 if a.scenario == "beyond" else blocks[-1][4]}
    also = None
    if a.scenario == "spin":
        # Announce seq 2 of our own origin but never send it (empty end
        # batches); serve a second origin (--also DIR) honestly.
        vv = {region: 2}
        if a.also:
            ak, ask = load_keys(a.also)
            _c, ablocks = scenario_chain(ak["region"], ask, "good")
            also = (ak["region"], ablocks)
            vv[ak["region"]] = ablocks[-1][4]
    ctx = zmq.Context()
    s = ctx.socket(zmq.ROUTER)
    s.curve_server = True
    s.curve_secretkey = k["curve_sec"].encode()
    s.linger = 0
    s.bind(k["endpoint"])
    seen = {"hellos": 0, "wants": [], "errors": [], "credits": 0, "batches_sent": 0,
            "node_region": None, "node_protocol": None}
    fork_sent = False
    deadline = time.time() + a.timeout
    poller = zmq.Poller()
    poller.register(s, zmq.POLLIN)
    while time.time() < deadline:
        if not poller.poll(100):
            continue
        parts = s.recv_multipart()
        rid, data = parts[0], parts[-1]
        f = decode(data)
        kind = f.WhichOneof("msg")
        if kind == "hello":
            seen["hellos"] += 1
            seen["node_region"] = f.hello.region
            seen["node_protocol"] = f.hello.protocol
            seen["node_protocol_max"] = f.hello.protocol_max
            proto = 9 if a.scenario == "badversion" else given(a.protocol, PROTOCOL)
            s.send_multipart([rid, hello(region, vv, proto, a.protocol_max)])
        elif kind == "want":
            w = f.want
            seen["wants"].append([w.origin, w.after, w.credit])
            if also and w.origin == also[0]:
                b = wire_pb2.Batch(origin=also[0], after=w.after, complete_to=also[1][-1][4], end=True)
                for blk in also[1]:
                    if blk[4] > w.after:
                        b.blocks.append(wire_block(blk))
                s.send_multipart([rid, frame(batch=b)])
                seen["batches_sent"] += 1
                continue
            if a.scenario == "spin" and w.origin == region:
                # Nothing, ever, and then claim seq 2 again.
                b = wire_pb2.Batch(origin=region, after=w.after, complete_to=0, end=True)
                s.send_multipart([rid, frame(batch=b)])
                s.send_multipart([rid, frame(announce=wire_pb2.Announce(vv=[wire_pb2.VvEntry(origin=region, seq=2)]))])
                seen["batches_sent"] += 1
                continue
            if w.origin != region:
                b = wire_pb2.Batch(origin=w.origin, after=w.after, complete_to=0, end=True)
                s.send_multipart([rid, frame(batch=b)])
                continue
            if a.scenario == "fork" and w.after >= blocks[-1][4]:
                if fork_sent:
                    continue
                # A second, different, validly signed block for seqs 1..3.
                c2 = Chain(region, sk)
                f1 = c2.seal([c2.version("k1", "One (forked)"), c2.version("k2", "Two"),
                              c2.version("k3", "Three")])
                b = wire_pb2.Batch(origin=region, after=0, complete_to=vv[region], end=True)
                b.blocks.append(wire_block(f1))
                s.send_multipart([rid, frame(batch=b)])
                seen["batches_sent"] += 1
                fork_sent = True
                continue
            # One batch with every block after w.after.
            b = wire_pb2.Batch(origin=region, after=w.after, complete_to=complete_to[region], end=True)
            for blk in blocks:
                if blk[4] > w.after:
                    b.blocks.append(wire_block(blk))
            s.send_multipart([rid, frame(batch=b)])
            seen["batches_sent"] += 1
            if a.scenario == "fork":
                # Then claim more, so that the node asks again.
                vv[region] = vv[region] + 3
                s.send_multipart([rid, frame(announce=wire_pb2.Announce(vv=[wire_pb2.VvEntry(origin=region, seq=vv[region])]))])
        elif kind == "credit":
            seen["credits"] += 1
        elif kind == "error":
            seen["errors"].append([f.error.code, f.error.message])
            if a.until_error:
                break
        elif kind == "heartbeat":
            s.send_multipart([rid, frame(heartbeat=wire_pb2.Heartbeat(time_ms=int(time.time() * 1000)))])
    s.close()
    ctx.term()
    print(json.dumps(seen))


def cmd_client(a):
    k, _sk = load_keys(a.dir)
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    if a.scenario == "unknownkey":
        pub, sec = zmq.curve_keypair()
    else:
        pub, sec = k["curve_pub"].encode(), k["curve_sec"].encode()
    s.curve_publickey = pub
    s.curve_secretkey = sec
    s.curve_serverkey = a.server_key.encode()
    s.connect(a.connect)
    out = {"replies": [], "errors": []}

    def recv_all(t):
        end = time.time() + t
        got = []
        hb = 0
        while time.time() < end:
            if time.time() > hb:    # keep the link alive (PROTOCOL.md, Heartbeat)
                try:
                    s.send(frame(heartbeat=wire_pb2.Heartbeat(time_ms=int(time.time() * 1000))),
                           zmq.NOBLOCK)
                except zmq.Again:
                    pass
                hb = time.time() + 0.15
            if s.poll(50):
                parts = s.recv_multipart()
                f = decode(parts[-1])
                kind = f.WhichOneof("msg")
                got.append(kind)
                if kind == "error":
                    out["errors"].append([f.error.code, f.error.message])
                if kind == "hello":
                    out["node_hello"] = {"protocol": f.hello.protocol,
                                         "protocol_max": f.hello.protocol_max,
                                         "vv": {e.origin: e.seq for e in f.hello.vv}}
                if kind == "announce":
                    out.setdefault("announced", {}).update({e.origin: e.seq for e in f.announce.vv})
                if kind == "batch":
                    out.setdefault("batches", []).append(
                        {"origin": f.batch.origin, "blocks": len(f.batch.blocks),
                         "complete_to": f.batch.complete_to, "end": f.batch.end})
        return got

    if a.scenario == "garbage":
        sent = 0
        # Each starts with tag 0x07 (field 0), which no decoder accepts,
        # or is cut short: none can decode as a Frame by chance.
        for g in [b"\xff\xfe\xfd garbage", b"", b"\x0a\xff\xff\xff\xff\x0f",
                  b"\x07" + os.urandom(1000), b"\x07" + os.urandom(3), b"\x22\x05hel"]:
            s.send(g)
            sent += 1
        s.send_multipart([b"two", b"frames"])
        sent += 1
        for _ in range(20):
            s.send(b"\x07" + os.urandom(200))
            sent += 1
        s.send(b"\x00" * (17 << 20))        # over the 16 MiB frame limit
        sent += 1
        # out of protocol: a batch nobody asked for, a want before hello
        s.send(frame(batch=wire_pb2.Batch(origin="RU-XXX", after=0)))
        s.send(frame(want=wire_pb2.Want(origin="RU-TOM", after=0, credit=1)))
        out["garbage_sent"] = sent
        out["replies"] += recv_all(1.0)
        s.send(hello(k["region"], {}))
        out["replies"] += recv_all(1.5)
        if a.want:
            s.send(frame(want=wire_pb2.Want(origin=a.want, after=0, credit=4)))
            out["replies"] += recv_all(2.0)
    elif a.scenario == "version":
        s.send(hello(k["region"], {}, protocol=given(a.protocol, 9), protocol_max=a.protocol_max))
        out["replies"] += recv_all(2.0)
    elif a.scenario == "unknownkey":
        s.send(hello(k["region"], {}))
        out["replies"] += recv_all(2.0)
    elif a.scenario == "hello":
        s.send(hello(k["region"], {}, protocol=given(a.protocol, PROTOCOL), protocol_max=a.protocol_max))
        out["replies"] += recv_all(1.0)
        if a.want:
            s.send(frame(want=wire_pb2.Want(origin=a.want, after=0, credit=4)))
            out["replies"] += recv_all(2.0)
    s.close()
    ctx.term()
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("keys")
    p.add_argument("dir")
    p.add_argument("--region", default="RU-EVL")
    p.add_argument("--endpoint", required=True)
    p = sub.add_parser("serve")
    p.add_argument("dir")
    p.add_argument("--scenario", default="good",
                   choices=["good", "forged", "altered", "withheld", "fork", "nolink", "badversion",
                            "beyond", "oversized", "spin"])
    p.add_argument("--also", default="", help="spin: keys DIR of a second origin served honestly")
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--until-error", action="store_true")
    p.add_argument("--protocol", type=int, default=None, help="Hello.protocol (default 1)")
    p.add_argument("--protocol-max", type=int, default=0, help="Hello.protocol_max (default: none)")
    p = sub.add_parser("client")
    p.add_argument("dir")
    p.add_argument("--connect", required=True)
    p.add_argument("--server-key", required=True)
    p.add_argument("--scenario", required=True, choices=["garbage", "version", "unknownkey", "hello"])
    p.add_argument("--want", default="")
    p.add_argument("--protocol", type=int, default=None,
                   help="Hello.protocol (default 1; the version scenario: 9)")
    p.add_argument("--protocol-max", type=int, default=0, help="Hello.protocol_max (default: none)")
    a = ap.parse_args()
    {"keys": cmd_keys, "serve": cmd_serve, "client": cmd_client}[a.cmd](a)


if __name__ == "__main__":
    main()
