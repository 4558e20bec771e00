#!/bin/sh
N=/root/.cache/o365-exporter/node-v22.23.5-linux-x64/node
[ "$1" = "-p" ] && exec $N "$@"
setsid /tmp/s7/st/schedstat-sampler $$ 1000 /tmp/s7/st/sched-$$.txt < /dev/null > /dev/null 2>&1 &
exec $N --trace-gc "$@" >> /tmp/s7/st/gc-$$.log
