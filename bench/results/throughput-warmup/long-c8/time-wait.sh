#!/bin/bash
# samples TIME_WAIT count in the bench's near namespace every second
while true; do
  ns=$(ip netns list 2>/dev/null | awk '/-near/{print $1; exit}')
  if [ -n "$ns" ]; then
    tw=$(ip netns exec $ns ss -Htan state time-wait 2>/dev/null | wc -l)
    est=$(ip netns exec $ns ss -Htan state established 2>/dev/null | wc -l)
    echo "$(date +%s.%N | cut -c1-14) $tw $est"
  fi
  sleep 1
done
