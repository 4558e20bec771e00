import sys
r=[int(l.split()[4]) for l in open(sys.argv[1])]; r.sort(); n=len(r)
f=lambda q: r[min(n-1,int(n*q))]/1e6
print(f"{sys.argv[2]:28s} n={n} late p50 {f(.5):.2f} p99 {f(.99):.2f} p99.9 {f(.999):.2f} max {r[-1]/1e6:.2f} ms; >5 ms: {sum(x>5e6 for x in r)}, >10 ms: {sum(x>1e7 for x in r)}")
