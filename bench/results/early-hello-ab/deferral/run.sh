#!/bin/bash
# Two rounds, busy 0 / 100 / 300 us per turn, both modes alternating. Idle CPUs should be
# held at polling (/dev/cpu_dma_latency 0), as in the bench.
cd "$(dirname "$0")"; NODE=${NODE:-node}; F=$(mktemp)
for r in 1 2; do for busy in 0 100 300; do for mode in early node-start; do
  : > "$F"; python3 hello-server.py 39110 "$F" & SP=$!; sleep 0.3
  $NODE hello-client.mjs 39110 100 $mode $busy "$F"; kill $SP; wait $SP 2>/dev/null
done; done; done; rm -f "$F"
