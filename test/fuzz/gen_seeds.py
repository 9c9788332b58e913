#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora under corpus/<target>/ (small, hand-made inputs).

Run from anywhere: python3 test/fuzz/gen_seeds.py. Each seed is a valid or
nearly valid input in the layout the target's comment describes, so the
fuzzer starts past the first length checks.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MOCK_CID, RID, HOST, HV = 42, 1500, 2, 0
REC_MAGIC = 0x5156


def dg(dst, src, payload, claimed=None):
    size = len(payload) if claimed is None else claimed
    raw = struct.pack("<IIIIQ", dst[0], dst[1], src[0], src[1], size) + payload
    return raw + b"\0" * (-len(raw) % 8)


def event(ev, data=b""):
    return dg((MOCK_CID, 0), (HV, 0), struct.pack("<I", ev) + data)


def rec(payload):
    raw = struct.pack("<IHH", len(payload), REC_MAGIC, 0) + payload
    return raw + b"\0" * (-len(raw) % 8)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def dgram_rx():
    good = dg((MOCK_CID, RID), (HOST, 7), b"\x10" * 16)
    write("dgram_rx", "port_two", b"\0" + good + dg((MOCK_CID, RID), (HOST, 7), b"x" * 100))
    write("dgram_rx", "dma_two", b"\x01" + good * 2)
    write("dgram_rx", "dma_split", b"\x07" + good + dg((MOCK_CID, RID), (HOST, 7), b"y" * 40))
    write("dgram_rx", "port_oversized", b"\0" + dg((MOCK_CID, RID), (HOST, 7), b"", 70000) + good)
    write("dgram_rx", "port_events", b"\0" + event(0, struct.pack("<I", 77)) + event(4, struct.pack("<II", 42, 1025)))
    write("dgram_rx", "dma_foreign", b"\x03" + dg((99, RID), (HOST, 7), b"z" * 8) + good)


def event_seeds():
    for ev, data in [(0, struct.pack("<I", 33)), (1, struct.pack("<I", 5)),
                     (3, struct.pack("<III", 42, 1025, 0)),
                     (4, struct.pack("<III", 42, 1025, 0)),
                     (5, struct.pack("<I", 42)), (6, struct.pack("<I", 42)),
                     (2, struct.pack("<I", 42)), (9, b""), (0xffffffff, b"\xff" * 20)]:
        write("event", "ev%u" % (ev & 0xff), struct.pack("<IBB", ev, 4 + len(data), 0) + data)
    write("event", "short_claim", struct.pack("<IBB", 3, 2, 0) + b"\1" * 8)
    write("event", "long_claim", struct.pack("<IBB", 4, 200, 1) + b"\2" * 12)


def hcall():
    def fifo(raw):
        return b"\0" + struct.pack("<H", len(raw)) + raw

    def reg(i, v):
        return b"\x01" + struct.pack("<BI", i, v)

    caps = reg(6, 0x0c | 0x10)  # DATAGRAM|NOTIFICATIONS|PPN64
    getcid = dg((HV, 1), (0, 0), b"")  # GET_CONTEXT_ID
    query = dg((HV, 0), (0, 0), struct.pack("<II", 2, 0) + struct.pack("<II", 1, 10))
    qp = (b"\x03" + b"\0" + b"\0" + struct.pack("<H", 1200) + b"\0" + b"\0"
          + struct.pack("<HH", 4096, 8192) + b"\0" + bytes(range(6)))
    write("hcall", "port_basic", b"\0" + caps + fifo(getcid) + fifo(query) + b"\x02\x07")
    write("hcall", "qp_alloc", b"\0" + caps + qp + qp)
    write("hcall", "dma_send", b"\x01" + reg(6, 0x04 | 0x20 | 0x10) + b"\x04"
          + struct.pack("<H", len(getcid)) + getcid)
    write("hcall", "huge_payload", b"\0" + fifo(dg((HV, 10), (0, 0), b"", 1 << 40)[:24]))
    write("hcall", "doorbell", b"\0" + caps + fifo(dg((HV, 2), (0, 0), struct.pack("<IIQ", 0, 77, 5))))


def qp_hdr():
    seq = b""
    seq += b"\x04" + struct.pack("<H", 100)           # enqueue_bulk 100
    seq += b"\x02" + struct.pack("<HHH", 0, 50, 60)   # peer tail 50, head 60
    seq += b"\x09" + struct.pack("<H", 80)            # dequeue_burst
    seq += b"\x00" + struct.pack("<HQ", 0, 1 << 63)   # peer tail out of range
    seq += b"\x08" + struct.pack("<H", 10)
    seq += b"\x0e" + struct.pack("<HH", 300, 300)     # zc enqueue
    seq += b"\x0f" + struct.pack("<HH", 300, 10)      # zc dequeue
    write("qp_hdr", "mixed", struct.pack("<HH", 4095, 1023) + seq)
    write("qp_hdr", "tiny", struct.pack("<HH", 0, 0) + b"\x05\x05\x00\x10\x11\x12")
    write("qp_hdr", "wrap", struct.pack("<HH", 511, 511) + b"\x02" + struct.pack("<HHH", 0, 500, 500)
          + b"\x0b" + struct.pack("<H", 400) + b"\x07" + struct.pack("<H", 400))


def msg():
    recs = rec(b"hello") + rec(b"\x01" * 100) + rec(b"")
    write("msg", "three", struct.pack("<HHHB", 1024, 0, 0, 1) + recs)
    write("msg", "wrapping", struct.pack("<HHHB", 256, 200, 0, 2) + recs)
    write("msg", "limit", struct.pack("<HHHB", 1024, 8, 50, 1) + recs)
    write("msg", "bad_magic", struct.pack("<HHHB", 512, 0, 0, 0) + struct.pack("<IHH", 4, 0x1234, 0) + b"abcd")
    write("msg", "beyond", struct.pack("<HHHB", 512, 0, 0, 1) + struct.pack("<IHH", 4000, REC_MAGIC, 0) + b"ab")


def devargs():
    for i, s in enumerate([b"cid=20", b"cid=21,mode=dma", b"hv=lab,caps=0x3c,socket=0",
                           b"cid=-1", b"mode=pci", b"hv=" + b"h" * 30, b"socket=99999",
                           b"cid=0x100000000", b"cid", b",,=,", b"",
                           b"cid=20,cid=21", b"cid=+20", b"cid= 20", b"cid=20x",
                           b"cid=0x", b"cid=", b"caps=0x40", b"caps=0x18",
                           b"socket=-0", b"mode=dma,hv=a,mode=port",
                           b"cid=4294967295", b"cid=0X1f,caps=4,socket=0"]):
        write("devargs", "a%02d" % i, s)


def perf_opts():
    for i, args in enumerate([[], ["--api", "msg", "--size", "64,256"],
                              ["--queue-size", "4096", "--size", "4095"],
                              ["--duration", "0.5", "--burst", "8", "--no-verify"],
                              ["--json", "/dev/null", "--mode", "stream"],
                              ["-h"], ["--size"], ["--bogus", "x"],
                              ["--size", ",".join(["1"] * 70)],
                              ["--transport", "vsock", "--vsock-peer", "2:7", "--connects",
                               "10", "--queue-size", "64k,1m"],
                              ["--transport", "vsock", "--api", "msg", "--vsock-peer", "1:x"]]):
        write("perf_opts", "a%02d" % i, b"\0".join(a.encode() for a in args))


def vsock_ctl():
    # Programs for fuzz_vsock_ctl.c; control payloads are the 32 bytes after
    # the datagram header (version, type, proto, ports, reserved, union).
    def ctl(typ, sport, dport, u0=0, u1=0, proto=0, version=1):
        return struct.pack("<BBHIIIQQ", version, typ, proto, sport, dport, 0, u0, u1)

    def direct(payload, src=0):
        return bytes([0, src, len(payload)]) + payload

    def via_host(payload):
        return b"\x01" + payload

    poll = b"\x08"
    REQUEST, NEGOTIATE, OFFER, WROTE, READ, RST, SHUTDOWN = 1, 2, 3, 5, 6, 7, 8
    WAITING_WRITE, WAITING_READ, REQUEST2, NEGOTIATE2 = 9, 10, 11, 12
    host_offer = HOST | (9000 << 32)
    client = (b"\x02\x00\x00" + poll + via_host(ctl(NEGOTIATE2, 5000, 4000, 4096, proto=1))
              + poll * 2 + b"\x09\x01\x00\x00" + poll * 2)
    data = b"\x05\x00\x00\x10" + poll + b"\x06\x00" + b"\x0d\x00\x00\x01"
    write("vsock_ctl", "client_qstate", client + data + via_host(ctl(SHUTDOWN, 5000, 4000, 3))
          + poll + b"\x06\x00" + b"\x0b" + poll)
    write("vsock_ctl", "client_classic",
          b"\x02\x00\x00" + poll + via_host(ctl(0, 5000, 4000)) + via_host(ctl(RST, 5000, 4000))
          + poll + via_host(ctl(NEGOTIATE, 5000, 4000, 4096)) + poll * 2
          + b"\x09\x01\x00\x00" + poll + direct(ctl(WAITING_READ, 5000, 4000, 1, 2))
          + direct(ctl(WAITING_WRITE, 5000, 4000, 3, 4)) + data)
    server = (b"\x03\x00\x01" + direct(ctl(REQUEST2, 7000, 6000, 4096, proto=1)) + poll
              + b"\x0a\x01" + direct(ctl(OFFER, 7000, 6000, host_offer)) + poll
              + b"\x04\x00" + poll)
    write("vsock_ctl", "server_qstate", server + b"\x05\x01\x00\x01" + b"\x06\x01"
          + direct(ctl(RST, 7000, 6000)) + b"\x06\x01" + b"\x0b" + poll)
    write("vsock_ctl", "server_classic",
          b"\x03\x00\x01" + direct(ctl(REQUEST, 7000, 6000, 4096)) + poll + b"\x0a\x01"
          + direct(ctl(OFFER, 7000, 6000, host_offer)) + b"\x04\x00" + b"\x0c\x01\x01")
    write("vsock_ctl", "server_refusals",
          b"\x03\x00\x01" + direct(ctl(REQUEST2, 7000, 6000, 0, proto=1))
          + direct(ctl(REQUEST2, 7000, 6000, 4096, proto=8))
          + direct(ctl(REQUEST2, 7000, 6000, 4096, proto=1))
          + direct(ctl(REQUEST2, 7001, 6000, 4096, proto=1))
          + direct(ctl(RST, 7000, 6000)) + direct(ctl(REQUEST2, 7002, 6000, 1 << 40, proto=1))
          + direct(ctl(OFFER, 7002, 6000, 0xffffffffffffffff)) + direct(ctl(13, 7003, 6000))
          + poll)
    write("vsock_ctl", "intake",
          direct(ctl(REQUEST2, 1, 2, 4096, proto=1), src=2) + direct(ctl(REQUEST2, 1, 2), src=4)
          + direct(ctl(REQUEST2, 1, 2, version=2)) + bytes([0, 0, 31]) + b"\x01" * 31
          + direct(ctl(REQUEST2, 0xffffffff, 2)) + direct(ctl(RST, 1, 2)) + poll)
    write("vsock_ctl", "dgram", b"\x0e\x00\x10\x00" + poll + b"\x0e\x00\x10\x00")


for gen in (dgram_rx, event_seeds, hcall, qp_hdr, msg, devargs, perf_opts, vsock_ctl):
    gen()
