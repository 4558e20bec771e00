#!/usr/bin/env python3
"""Userspace link emulator: forwards IP packets between two TUN devices, holding each one
for a set one-way delay (+ uniform jitter, + random loss). No netem on this kernel.

Usage: link-emulator.py TUN_A TUN_B MAX_SECONDS
Creates both TUN devices (the harness moves them into namespaces), prints "ready", then reads
commands on stdin, one per line, answering each with one JSON line on stdout:
  set DELAY_MS JITTER_MS LOSS   -> {"ok": true}
  dump                          -> {"packets": [...]} packets forwarded since the last dump
  tap NETNS_A NETNS_B           -> {"ok": false, ...}: kernel timestamps are the C one's only
Exits when stdin closes or after MAX_SECONDS (a bound, so it never outlives a bench run).
Jitter never reorders packets of one direction (each leaves no earlier than the previous),
so TCP sees delay variation, not reordering. Times are CLOCK_MONOTONIC ns, the clock Node's
process.hrtime uses, so the harness can compare them with the exporters' timestamps.
"""
import ctypes, fcntl, heapq, json, os, random, select, struct, sys, time

TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
PR_SET_TIMERSLACK = 29
SPIN_NS = 300_000  # busy-poll the last 0.3 ms before a packet is due: select() wakes late
MAX_LOG = 200_000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def describe(pkt):
    """(proto, sport, dport, tcp flags, payload bytes, dns id) of an IPv4 packet."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return (0, 0, 0, 0, len(pkt), -1)
    ihl, proto = (pkt[0] & 0x0F) * 4, pkt[9]
    total = struct.unpack("!H", pkt[2:4])[0]
    sport, dport = struct.unpack("!HH", pkt[ihl:ihl + 4]) if len(pkt) >= ihl + 4 else (0, 0)
    if proto == 6 and len(pkt) >= ihl + 14:
        off = (pkt[ihl + 12] >> 4) * 4
        return (6, sport, dport, pkt[ihl + 13], total - ihl - off, -1)
    if proto == 17 and len(pkt) >= ihl + 10:
        return (17, sport, dport, 0, total - ihl - 8, struct.unpack("!H", pkt[ihl + 8:ihl + 10])[0])
    return (proto, sport, dport, 0, total - ihl, -1)


def main():
    name_a, name_b, max_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    try:  # 1 ns timer slack: select() timeouts then end when asked, not up to 50 us later
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)
    except OSError:
        pass
    fd_a, fd_b = open_tun(name_a), open_tun(name_b)
    peer = {fd_a: fd_b, fd_b: fd_a}
    direction = {fd_a: "ab", fd_b: "ba"}
    delay_ns, jitter_ns, loss = 0, 0, 0.0
    last_due = {fd_a: 0, fd_b: 0}
    heap, log, seq, pending = [], [], 0, b""
    stdin = sys.stdin.fileno()
    end = time.monotonic_ns() + int(max_seconds * 1e9)
    print("ready", flush=True)
    while time.monotonic_ns() < end:
        now = time.monotonic_ns()
        wait = (heap[0][0] - now) if heap else 200_000_000
        timeout = 0 if wait <= SPIN_NS else (wait - SPIN_NS) / 1e9
        ready, _, _ = select.select([fd_a, fd_b, stdin], [], [], timeout)
        for fd in ready:
            if fd == stdin:
                chunk = os.read(stdin, 4096)
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    words = line.decode().split()
                    if words and words[0] == "set":
                        delay_ns, jitter_ns = int(float(words[1]) * 1e6), int(float(words[2]) * 1e6)
                        loss = float(words[3])
                        print(json.dumps({"ok": True}), flush=True)
                    elif words and words[0] == "dump":
                        print(json.dumps({"packets": log}), flush=True)
                        log = []
                    elif words and words[0] == "tap":
                        print(json.dumps({"ok": False, "error": "no kernel timestamps in the Python emulator"}), flush=True)
                continue
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                got = time.monotonic_ns()
                if loss and random.random() < loss:
                    continue
                hold = delay_ns + (random.randint(-jitter_ns, jitter_ns) if jitter_ns else 0)
                due = max(got + hold, last_due[fd])
                last_due[fd] = due
                seq += 1
                heapq.heappush(heap, (due, seq, fd, got, pkt))
        now = time.monotonic_ns()
        while heap and heap[0][0] <= now:
            due, _, fd, got, pkt = heapq.heappop(heap)
            try:
                os.write(peer[fd], pkt)
            except OSError:  # device down or gone: the packet is lost, as on a real link
                continue
            sent = time.monotonic_ns()
            if len(log) < MAX_LOG:
                log.append([direction[fd], got, sent, due, *describe(pkt)])
            now = sent


if __name__ == "__main__":
    main()
