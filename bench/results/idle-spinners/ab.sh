#!/bin/bash
# Wake witness with and without SCHED_IDLE spinners on both CPUs, accuracy only at 10/40 ms
cd /work/main
arm() { # $1 name $2 spin(0/1)
  pids=()
  if [ "$2" = 1 ]; then
    for c in 0 1; do taskset -c $c chrt -i 0 sh -c 'while :; do :; done' & pids+=($!); done
  fi
  node --import tsx bench/run.ts --only=accuracy --accuracy.rtts=10,40 --accuracy.no-extras --accuracy.load-targets=0 --out=/tmp/s7/wspin/$1 > /tmp/s7/wspin/$1.log 2>&1
  echo "$1 rc=$? $(date -u +%H:%M)" >> /tmp/s7/wspin/done.log
  for p in "${pids[@]}"; do kill $p; done
}
arm p1 0; arm s1 1; arm s2 1; arm p2 0
