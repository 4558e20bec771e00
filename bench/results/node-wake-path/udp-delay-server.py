# UDP server answering each datagram after DELAY ms (busy-waiting its last 0.5 ms) with its own
# CLOCK_MONOTONIC send stamp (8 bytes, little endian; udp-exchange.mjs ignores the content,
# wake-node.mjs and wake-c.c read it). Usage: udp-delay-server.py PORT DELAY_MS ('q' stops it)
import socket, time, sys, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', int(sys.argv[1])))
delay = float(sys.argv[2]) / 1000
while True:
    d, a = s.recvfrom(2048)
    if d == b'q': break
    t = time.monotonic() + delay
    while time.monotonic() < t - 0.0005: time.sleep(0.0002)
    while time.monotonic() < t: pass
    s.sendto(struct.pack('<Q', time.monotonic_ns()), a)
