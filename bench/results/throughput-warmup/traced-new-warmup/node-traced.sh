#!/bin/bash
N=/root/.cache/o365-exporter/node-v22.23.5-linux-x64/node
[ "$1" = "-p" ] && exec $N "$@"
exec $N --trace-opt --trace-gc "$@" > >(perl -MTime::HiRes=time -ne '$|=1; printf "%.3f %s", time, $_' > /tmp/s21/trace3.txt)
