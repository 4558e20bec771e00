import sys
# gaps in a task's schedstat samples: no new timeslice for > MIN ms. For each: how the time split.
MIN = float(sys.argv[2]) if len(sys.argv) > 2 else 15
rows = [list(map(int, l.split())) for l in open(sys.argv[1])]
t0 = rows[0][0]
print(f"{len(rows)} samples over {(rows[-1][0]-t0)/1e9:.1f} s; sampler late p99 {sorted(r[4] for r in rows)[int(len(rows)*.99)]/1e6:.2f} ms, max {max(r[4] for r in rows)/1e6:.2f}")
i = 0
while i < len(rows) - 1:
    j = i + 1
    while j < len(rows) and rows[j][3] == rows[i][3]:
        j += 1
    if j >= len(rows): break
    dt = (rows[j][0] - rows[i][0]) / 1e6
    if dt > MIN:
        a, b = rows[i], rows[j]
        ex, wa = (b[1]-a[1])/1e6, (b[2]-a[2])/1e6
        late = max(r[4] for r in rows[i:j+1])/1e6
        print(f"t={(a[0]-t0)/1e9:8.3f}s gap {dt:6.1f} ms: running {ex:5.1f} runqueue {wa:5.1f} asleep {dt-ex-wa:5.1f}; sampler late max {late:5.2f}; slices +{b[3]-a[3]}")
    i = j
