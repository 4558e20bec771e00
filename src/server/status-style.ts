/**
 * The status page's stylesheet, served inline (no external assets: the page works offline).
 * Dark, high-contrast and large on a wall screen; one column, no sideways scrolling on a phone.
 */
export const STATUS_STYLE = `
:root {
  --bg: #0f1419; --panel: #182029; --line: #2a3542; --text: #e6edf3; --muted: #9aa7b4;
  --up: #3fb950; --down: #f85149; --warn: #d29922; --pending: #8b949e; --link: #58a6ff;
  --dns: #a371f7; --connect: #3b82f6; --proxy_connect: #14b8a6; --tls: #f0883e;
  --first_byte: #3fb950; --transfer: #8b949e; --udp: #ec4899;
  font-size: 15px;
}
@media (min-width: 1800px) { :root { font-size: 19px; } }
@media (min-width: 2800px) { :root { font-size: 26px; } }
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); }
body { font: 1rem/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; overflow-wrap: anywhere; }
a { color: var(--link); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .75rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 1; }
header h1 { font-size: 1.25rem; margin: 0; }
header .meta { color: var(--muted); font-size: .85rem; }
header nav { display: flex; flex-wrap: wrap; gap: .25rem .9rem; margin-left: auto; font-size: .9rem; }
.totals { display: flex; gap: .5rem; flex-wrap: wrap; }
.chip { display: inline-block; padding: .05rem .5rem; border-radius: 999px; border: 1px solid var(--line); font-size: .8rem; white-space: nowrap; }
.chip.up { border-color: var(--up); color: var(--up); }
.chip.down { border-color: var(--down); color: var(--down); background: rgba(248, 81, 73, .12); }
.chip.pending { color: var(--pending); }
.chip.warn { border-color: var(--warn); color: var(--warn); }
#banner { display: none; padding: .6rem 1rem; background: #5a1e1e; color: #ffd7d5; font-weight: 600; }
#banner.show { display: block; }
/* Columns as wide as the screen allows (one on a phone, five or more on a wall); services and
   their cards flow down each column, a card never split between two. */
main { padding: 1rem; column-width: 22rem; column-gap: 1rem; }
section { margin-bottom: 1.25rem; }
section h2 { font-size: 1.1rem; margin: 0 0 .6rem; display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; break-after: avoid; }
.grid { display: block; }
.card { background: var(--panel); border: 1px solid var(--line); border-left: .35rem solid var(--pending); border-radius: .5rem; padding: .7rem .85rem; display: flex; flex-direction: column; gap: .4rem; min-width: 0; margin-bottom: .75rem; break-inside: avoid; }
.card[data-state="up"] { border-left-color: var(--up); }
.card[data-state="down"] { border-left-color: var(--down); }
.card .title { display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; }
.card .name { font-weight: 700; font-size: 1.05rem; }
.card .state { margin-left: auto; font-weight: 700; font-size: .85rem; letter-spacing: .04em; }
.card[data-state="up"] .state { color: var(--up); }
.card[data-state="down"] .state { color: var(--down); }
.card[data-state="pending"] .state { color: var(--pending); }
.endpoint, .small { color: var(--muted); font-size: .82rem; }
.bar { display: flex; height: .9rem; border-radius: .2rem; overflow: hidden; background: var(--line); }
.bar span { display: block; height: 100%; min-width: 2px; }
.bar span.failed { background: repeating-linear-gradient(45deg, var(--down) 0 .3rem, #8b2a25 .3rem .6rem); }
.legend .failed-phase { color: var(--down); font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: .15rem .8rem; font-size: .82rem; font-variant-numeric: tabular-nums; }
.legend i { display: inline-block; width: .65rem; height: .65rem; border-radius: .15rem; margin-right: .3rem; vertical-align: baseline; }
.failure { color: var(--down); font-weight: 600; }
.failure .why { color: var(--text); font-weight: 400; }
.verdicts { margin: 0; padding-left: 1.1rem; font-size: .85rem; color: var(--warn); }
.flags { display: flex; gap: .4rem; flex-wrap: wrap; }
.spark { width: 100%; height: 2.2rem; display: block; }
.spark polyline { fill: none; stroke: var(--link); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.spark rect.fail { fill: var(--down); }
.empty { color: var(--muted); }
footer { padding: 1rem; color: var(--muted); font-size: .8rem; }
`;
