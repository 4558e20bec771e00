#!/bin/bash
cd /work/main
for a in plain:a1 nomr:b1 nomr:b2 plain:a2; do arm=${a%%:*}; name=${a##*:}
  node --import tsx bench/run.ts --only=accuracy --accuracy.rtts=10,40,150 --accuracy.no-extras --accuracy.load-targets=0 --exporter-node=/tmp/s7/mr/node-$arm.sh --out=/tmp/s7/mr/$name > /tmp/s7/mr/$name.log 2>&1
  echo "$name rc=$? $(date -u +%H:%M)" >> /tmp/s7/mr/done.log
done
