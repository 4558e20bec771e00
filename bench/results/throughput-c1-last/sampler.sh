#!/bin/bash
# samples this exporter's RSS, heap and GC while a bench runs: t rss_mib heap_used_mib old_used_mib gc_sum_s cpu_s
out=$1; : > $out
while true; do
  pid=$(pgrep -f "dist/src/main.js --config.file" | head -1)
  if [ -n "$pid" ]; then
    addr=$(tr '\0' '\n' < /proc/$pid/cmdline 2>/dev/null | grep listen-address | cut -d= -f2)
    m=$(curl -s -m 2 http://$addr/metrics)
    rss=$(awk '/VmRSS/{print $2/1024}' /proc/$pid/status 2>/dev/null)
    cpu=$(awk '{print ($14+$15)/100}' /proc/$pid/stat 2>/dev/null)
    heap=$(echo "$m" | awk '/^nodejs_heap_size_used_bytes /{printf "%.1f", $2/1048576}')
    old=$(echo "$m" | awk '/^nodejs_heap_space_size_used_bytes\{space="old"\}/{printf "%.1f", $2/1048576}')
    gc=$(echo "$m" | awk '/^nodejs_gc_duration_seconds_sum/{s+=$2} END{printf "%.2f", s}')
    echo "$(date +%s) $pid $rss $heap $old $gc $cpu" >> $out
  fi
  sleep 5
done
