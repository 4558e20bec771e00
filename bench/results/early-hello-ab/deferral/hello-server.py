# Accepts TCP connections one at a time, writes the CLOCK_MONOTONIC time its first byte
# (the ClientHello) arrived, one line per connection, then closes. Usage: hello-server.py PORT FILE
import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(64)
out = open(sys.argv[2], 'w')
while True:
    c, _ = s.accept()
    c.recv(1)
    out.write(f"{time.monotonic_ns()}\n"); out.flush()
    c.close()
