#!/bin/bash
# Alternating A/B: C client, Node 22, Node 22 with --use-largepages=on; idle CPUs must be
# held at polling (the bench does it; by hand: hold /dev/cpu_dma_latency open with 0).
cd "$(dirname "$0")"; gcc -O2 -o /tmp/wake-c wake-c.c; NODE=~/.cache/o365-exporter/node-v22.23.3-linux-x64/node
for d in 0 1 10; do python3 udp-delay-server.py 39106 $d & SP=$!; sleep 0.3
for g in 0 20; do for r in 1 2 3 4; do
echo "d=$d g=$g C $(/tmp/wake-c 39106 200 $g)"
echo "d=$d g=$g node $($NODE wake-node.mjs 39106 200 $g)"
echo "d=$d g=$g node-lp $($NODE --use-largepages=on wake-node.mjs 39106 200 $g)"
done; done
python3 -c "import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.sendto(b'q',('127.0.0.1',39106))"; wait $SP; done
