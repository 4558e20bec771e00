# Splits a .cpuprofile's busy samples into categories by their stack (first rule that matches).
# Usage: python3 categories.py PROFILE.cpuprofile   (gunzip the saved one first)
import json,sys,collections
d=json.load(open(sys.argv[1]))
nodes={n['id']:n for n in d['nodes']}; parent={}
for n in d['nodes']:
  for c in n.get('children',[]): parent[c]=n['id']
dt=collections.Counter()
for i,s in enumerate(d['samples']): dt[s]+=d['timeDeltas'][i]
rules=[
 ('TLS: ClientHello built while connecting (key shares)', lambda fs,us: 'helloWhileConnecting' in fs),
 ("TLS: Node's leaf conversion for its name check", lambda fs,us: any('getPeerCertificate' in f for f in fs)),
 ('TLS: client set-up (tls.connect, TLSSocket, handle wrap)', lambda fs,us: 'startTls' in fs),
 ('TLS: rest of handshake end (secure, checks, chain summary)', lambda fs,us: 'ssl.onhandshakedone' in fs or any('tls-chain' in u or '/probes/tls.js' in u for u in us)),
 ('TLS/TCP teardown (SSL_free, handle close)', lambda fs,us: fs[0] in ('close','done') or ('done' in fs and any('internal/tls/wrap' in u for u in us))),
 ('TCP connect (socket, connect syscall)', lambda fs,us: 'internalConnect' in fs or 'connectTcp' in fs),
 ('HTTP request and response (undici)', lambda fs,us: any('undici' in u for u in us)),
 ('/metrics, series upkeep (prom-client, src/metrics, src/server)', lambda fs,us: any(('prom-client' in u or '/src/metrics/' in u or '/src/server/' in u or 'express' in u) for u in us)),
 ('config load at start (yaml)', lambda fs,us: any('/yaml/' in u for u in us)),
 ('scheduler and probe runner (src/scheduler, src/probes)', lambda fs,us: any(('/src/scheduler/' in u or '/src/probes/' in u) for u in us)),
 ('garbage collector', lambda fs,us: fs[0]=='(garbage collector)'),
 ('native work outside JS (TLS records, libuv callbacks: "(program)")', lambda fs,us: fs[0]=='(program)'),
 ('other', lambda fs,us: True),
]
agg=collections.Counter(); busy=0
for nid,t in dt.items():
  x=nid; fs=[]; us=[]
  while x in nodes: cf=nodes[x]['callFrame']; fs.append(cf['functionName']); us.append(cf['url']); x=parent.get(x)
  if fs[0]=='(idle)': continue
  busy+=t
  for name,f in rules:
    if f(fs,us): agg[name]+=t; break
print(f"busy {busy/1e6:.1f} s of {sum(dt.values())/1e6:.1f} s profiled")
for name,_ in rules: print(f"| {name} | {agg[name]/busy*100:.1f} % |")
