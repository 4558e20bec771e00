#!/bin/bash
N=/root/.cache/o365-exporter/node-v22.23.5-linux-x64/node
[ "$1" = "-p" ] && exec $N "$@"
exec $N --no-memory-reducer "$@"
