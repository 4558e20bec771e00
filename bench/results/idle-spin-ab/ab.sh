#!/bin/bash
# A/B: SCHED_IDLE spinners on every CPU (user-space idle=poll) vs none, accuracy only at 10/40 ms
cd /work/main
arm() { # $1 name $2 spin(0/1)
  pids=()
  if [ "$2" = 1 ]; then
    for c in 0 1; do taskset -c $c chrt -i 0 sh -c 'while :; do :; done' & pids+=($!); done
  fi
  node --import tsx bench/run.ts --only=accuracy --accuracy.rtts=10,40 --accuracy.no-extras --out=/tmp/s7/spin-ab/$1 > /tmp/s7/spin-ab/$1.log 2>&1
  echo "$1 rc=$? $(date -u +%H:%M)" >> /tmp/s7/spin-ab/done.log
  for p in "${pids[@]}"; do kill $p; done
}
arm a1 0; arm b1 1; arm b2 1; arm a2 0
