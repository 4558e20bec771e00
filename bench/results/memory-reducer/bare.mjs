// a process with nothing to do but a 10 ms timer: how late does it wake?
const late = []; let prev = process.hrtime.bigint();
const t = setInterval(() => { const now = process.hrtime.bigint(); late.push(Number(now - prev) / 1e6 - 10); prev = now; }, 10);
setTimeout(() => { clearInterval(t); late.sort((a, b) => a - b); const q = (p) => late[Math.floor(p * (late.length - 1))].toFixed(2);
  console.log(JSON.stringify({ n: late.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: late.at(-1).toFixed(2), over5: late.filter((x) => x > 5).length, over20: late.filter((x) => x > 20).length })); }, Number(process.argv[2] ?? 120) * 1000);
