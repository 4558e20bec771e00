// Cost of reading the peer leaf after a handshake: the legacy conversion (what Node does for
// checkServerIdentity) against getPeerX509Certificate() with the fields the probe would need.
// Usage: node leaf-cost.mjs PKI_DIR/ (leaf.key, leaf.pem with SAN leaf.test, ca.pem; P-256 here)
import tls from 'node:tls'; import fs from 'node:fs';
const d = process.argv[2] ?? './pki/';
const srv=tls.createServer({key:fs.readFileSync(d+'leaf.key'),cert:fs.readFileSync(d+'leaf.pem')+fs.readFileSync(d+'ca.pem')},(s)=>s.end());
await new Promise(r=>srv.listen(0,'127.0.0.1',r));
const N=300; const res={legacy:[],x509:[]};
for (let i=0;i<N;i++) for (const mode of ['legacy','x509']) {
  const s=tls.connect({host:'127.0.0.1',port:srv.address().port,servername:'leaf.test',ca:fs.readFileSync(d+'ca.pem'),checkServerIdentity:()=>undefined});
  await new Promise(r=>s.once('secureConnect',r));
  const t0=process.hrtime.bigint();
  if(mode==='legacy'){const c=tls.TLSSocket.prototype.getPeerCertificate.call(s,false); void c.fingerprint256; void c.subjectaltname;}
  else {const x=s.getPeerX509Certificate(); void x.fingerprint256; void x.subjectAltName; void x.subject;}
  res[mode].push(Number(process.hrtime.bigint()-t0)/1e3);
  s.destroy();
}
srv.close();
const med=a=>a.sort((x,y)=>x-y)[a.length>>1];
console.log(process.version,'us median legacy',med(res.legacy).toFixed(1),'x509',med(res.x509).toFixed(1));
