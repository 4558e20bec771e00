import sys
# Exporter main-thread gaps (no new timeslice for > 15 ms), t in (1, end-1) s: how the time split.
rows = [list(map(int, l.split())) for l in open(sys.argv[1])]
t0 = rows[0][0]; end = (rows[-1][0]-t0)/1e9
g = []; i = 0
while i < len(rows) - 1:
    j = i + 1
    while j < len(rows) and rows[j][3] == rows[i][3]: j += 1
    if j >= len(rows): break
    a, b = rows[i], rows[j]; dt = (b[0]-a[0])/1e6; t = (a[0]-t0)/1e9
    if dt > 15 and 1 < t < end - 1:
        ex, wa = (b[1]-a[1])/1e6, (b[2]-a[2])/1e6
        g.append((t, dt, ex, wa, dt-ex-wa, max(r[4] for r in rows[i:j+1])/1e6))
    i = j
n = len(g); s = lambda k: sum(x[k] for x in g)
print(f"{n} gaps > 15 ms: {s(1):.0f} ms in all; running {s(2):.0f}, guest run queue {s(3):.0f}, asleep {s(4):.0f} (of which 10 ms per gap is the timer's own interval: {s(4)-10*n:.0f} ms late)")
print("largest:", *[f"{x[1]:.1f} ms at {x[0]:.1f} s (run {x[2]:.1f} / queue {x[3]:.1f} / asleep {x[4]:.1f}; witness late {x[5]:.1f})" for x in sorted(g, key=lambda x: -x[1])[:6]], sep="\n  ")
