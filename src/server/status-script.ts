/**
 * The status page's script, served inline. It polls api/status every few seconds and builds
 * the DOM with textContent and attributes only: target names, URLs and error messages come
 * from config files, DNS and remote servers, and are never parsed as HTML.
 * `?refresh=N` sets the poll interval in seconds (1-300, default 5).
 */
export const STATUS_SCRIPT = String.raw`
(function () {
  'use strict';
  var PHASES = ['dns', 'connect', 'proxy_connect', 'tls', 'first_byte', 'transfer', 'udp'];
  var LABELS = { dns: 'DNS', connect: 'connect', proxy_connect: 'proxy', tls: 'TLS', first_byte: 'first byte', transfer: 'transfer', udp: 'UDP' };
  var SVG = 'http://www.w3.org/2000/svg';
  var asked = Number(new URLSearchParams(location.search).get('refresh'));
  var refreshMs = (asked >= 1 && asked <= 300 ? asked : 5) * 1000;
  var lastOk = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function chip(text, cls) { return el('span', 'chip' + (cls ? ' ' + cls : ''), text); }
  function ms(v) { return v === undefined || v === null ? '-' : (v < 10 ? v.toFixed(1) : String(Math.round(v))) + ' ms'; }
  function ago(t) {
    var s = Math.max(0, Math.round((Date.now() - t) / 1000));
    return s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  }

  /** Measured phases in order; a failure adds the failed phase as the time spent in it. */
  function waterfall(last) {
    var phases = Object.assign({}, last.phasesMs);
    var present = PHASES.filter(function (p) { return typeof phases[p] === 'number'; });
    var spent = present.reduce(function (sum, p) { return sum + phases[p]; }, 0);
    var failed = last.failure && present.indexOf(last.failure.phase) < 0 ? last.failure.phase : null;
    var failedMs = failed ? Math.max(0, last.durationMs - spent) : 0;
    var total = spent + failedMs || 1;
    var wrap = el('div');
    var bar = el('div', 'bar');
    bar.setAttribute('role', 'img');
    bar.setAttribute('aria-label', present.map(function (p) { return LABELS[p] + ' ' + ms(phases[p]); }).concat(failed ? [LABELS[failed] + ' failed'] : []).join(', ') || 'no phase measured');
    var legend = el('div', 'legend');
    present.forEach(function (p) {
      var seg = el('span');
      seg.style.width = (100 * phases[p] / total) + '%';
      seg.style.background = 'var(--' + p + ')';
      seg.title = LABELS[p] + ' ' + ms(phases[p]);
      bar.appendChild(seg);
      var item = el('span');
      var swatch = el('i');
      swatch.style.background = 'var(--' + p + ')';
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(LABELS[p] + ' ' + ms(phases[p])));
      item.setAttribute('data-phase', p);
      legend.appendChild(item);
    });
    if (failed) {
      var bad = el('span', 'failed');
      bad.style.width = (100 * failedMs / total) + '%';
      bad.title = LABELS[failed] + ' failed after ' + ms(failedMs);
      bar.appendChild(bad);
      var note = el('span', 'failed-phase', LABELS[failed] + ' failed after ' + ms(failedMs));
      note.setAttribute('data-phase', failed);
      note.setAttribute('data-failed', 'true');
      legend.appendChild(note);
    }
    wrap.appendChild(bar);
    wrap.appendChild(legend);
    return wrap;
  }

  function sparkline(history) {
    var svg = document.createElementNS(SVG, 'svg');
    var n = history.length;
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 100 30');
    svg.setAttribute('preserveAspectRatio', 'none');
    var ok = history.filter(function (h) { return h.success; }).length;
    var title = document.createElementNS(SVG, 'title');
    title.textContent = n + ' recent probes, ' + ok + ' succeeded';
    svg.appendChild(title);
    if (n === 0) return svg;
    var max = Math.max.apply(null, history.map(function (h) { return h.success ? h.durationMs : 0; }).concat([1]));
    var step = n > 1 ? 100 / (n - 1) : 0;
    var points = [];
    history.forEach(function (h, i) {
      var x = n > 1 ? i * step : 50;
      if (h.success) points.push(x.toFixed(2) + ',' + (28 - 26 * h.durationMs / max).toFixed(2));
      else {
        var r = document.createElementNS(SVG, 'rect');
        r.setAttribute('class', 'fail');
        r.setAttribute('x', String(Math.max(0, x - 0.8)));
        r.setAttribute('y', '0');
        r.setAttribute('width', '1.6');
        r.setAttribute('height', '30');
        svg.appendChild(r);
      }
    });
    if (points.length) {
      var line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', points.length === 1 ? points[0] + ' ' + points[0] : points.join(' '));
      svg.appendChild(line);
    }
    return svg;
  }

  function card(t) {
    var c = el('article', 'card');
    c.setAttribute('data-target', t.name);
    c.setAttribute('data-path', t.path);
    c.setAttribute('data-state', t.state);
    var title = el('div', 'title');
    title.appendChild(el('span', 'name', t.name));
    title.appendChild(chip(t.category));
    if (t.flags.proxy) title.appendChild(chip('via ' + t.flags.proxy, 'warn'));
    title.appendChild(el('span', 'state', t.state === 'up' ? 'UP' : t.state === 'down' ? 'DOWN' : 'PENDING'));
    c.appendChild(title);
    c.appendChild(el('div', 'endpoint', (t.kind === 'http' ? '' : t.kind + ' ') + t.endpoint));
    var last = t.last;
    if (!last) {
      c.appendChild(el('div', 'empty', 'waiting for the first probe'));
      return c;
    }
    c.appendChild(waterfall(last));
    var facts = [ms(last.durationMs) + ' total'];
    if (last.status !== undefined) facts.unshift('HTTP ' + last.status);
    facts.push(ago(last.startedAt));
    c.appendChild(el('div', 'small facts', facts.join(' \u00b7 ')));
    if (last.failure) {
      var f = el('div', 'failure', 'Failed in ' + last.failure.phase + ': ' + last.failure.reason + ' ');
      f.appendChild(el('span', 'why', '\u2014 ' + last.failure.meaning + (last.failure.message ? ' (' + last.failure.message + ')' : '')));
      c.appendChild(f);
    }
    if (t.frontDoor) {
      var fd = 'Front door ' + t.frontDoor.code + (t.frontDoor.city ? ' (' + t.frontDoor.city + ')' : '') + ' from ' + t.frontDoor.source;
      if (typeof t.frontDoor.distanceKm === 'number') fd += ', ' + Math.round(t.frontDoor.distanceKm) + ' km away';
      c.appendChild(el('div', 'small frontdoor', fd));
    }
    var flags = el('div', 'flags');
    if (t.flags.tlsIntercepted) flags.appendChild(chip('TLS intercepted: ' + t.flags.tlsIntercepted, 'down'));
    if (flags.childNodes.length) c.appendChild(flags);
    if (t.udp) {
      var u = t.udp;
      c.appendChild(el('div', 'small udp', 'UDP ' + u.received + '/' + u.sent + ' answered, loss ' + (u.lossRatio * 100).toFixed(1) + ' %, RTT ' + ms(u.rttMedianMs) + ', jitter ' + ms(u.jitterMs) + (u.mappedAddress ? ', seen as ' + u.mappedAddress : '')));
    }
    var warns = t.verdicts.filter(function (v) { return v.severity === 'warn'; });
    if (warns.length) {
      var list = el('ul', 'verdicts');
      warns.forEach(function (v) { list.appendChild(el('li', null, v.message)); });
      c.appendChild(list);
    }
    c.appendChild(sparkline(t.history));
    var okTimes = t.history.filter(function (h) { return h.success; }).map(function (h) { return h.durationMs; });
    var caption = t.history.length + (t.history.length === 1 ? ' recent probe, ' : ' recent probes, ') + Math.round(100 * okTimes.length / Math.max(1, t.history.length)) + ' % ok';
    if (okTimes.length) caption += ', ' + ms(Math.min.apply(null, okTimes)) + ' to ' + ms(Math.max.apply(null, okTimes));
    c.appendChild(el('div', 'small history', caption));
    return c;
  }

  function render(data) {
    var main = document.getElementById('services');
    var up = 0, down = 0, pending = 0;
    var sections = data.services.map(function (s) {
      up += s.up; down += s.down; pending += s.pending;
      var sec = el('section');
      sec.setAttribute('data-service', s.service);
      var h = el('h2', null, s.service + ' ');
      h.appendChild(chip(s.up + ' up', 'up'));
      if (s.down) h.appendChild(chip(s.down + ' down', 'down'));
      if (s.pending) h.appendChild(chip(s.pending + ' pending', 'pending'));
      sec.appendChild(h);
      var grid = el('div', 'grid');
      s.targets.forEach(function (t) { grid.appendChild(card(t)); });
      sec.appendChild(grid);
      return sec;
    });
    if (!sections.length) sections = [el('p', 'empty', 'No targets configured.')];
    main.replaceChildren.apply(main, sections);
    var totals = document.getElementById('totals');
    var chips = [chip(up + ' up', 'up')];
    if (down) chips.push(chip(down + ' down', 'down'));
    if (pending) chips.push(chip(pending + ' pending', 'pending'));
    if (!data.ready) chips.push(chip('first round running', 'pending'));
    totals.replaceChildren.apply(totals, chips);
    document.getElementById('version').textContent = 'v' + data.version + ' \u00b7 config ' + data.config;
    var ep = data.endpoints;
    document.getElementById('endpoints').textContent = ep ? 'endpoint list ' + ep.instance + ' ' + (ep.version || 'not loaded yet') : '';
    document.title = (down ? '(' + down + ' down) ' : '') + 'o365-exporter status';
  }

  function tick() {
    var updated = document.getElementById('updated');
    if (lastOk) updated.textContent = 'updated ' + ago(lastOk);
  }

  function poll() {
    fetch('api/status', { cache: 'no-store' })
      .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.json(); })
      .then(function (data) {
        render(data);
        lastOk = Date.now();
        document.body.setAttribute('data-connected', 'true');
        document.getElementById('banner').className = '';
        tick();
      })
      .catch(function (err) {
        document.body.setAttribute('data-connected', 'false');
        var banner = document.getElementById('banner');
        banner.textContent = 'Cannot reach the exporter (' + err.message + '): showing data from ' + (lastOk ? ago(lastOk) : 'never') + '.';
        banner.className = 'show';
      })
      .then(function () { setTimeout(poll, refreshMs); });
  }

  setInterval(tick, 1000);
  poll();
})();
`;
