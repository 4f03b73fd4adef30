<?php

/*
 * memprof command: the flamegraph command and its self-contained HTML page.
 */

declare(strict_types=1);

namespace MemprofCli;

function cmdFlamegraph(array $args): int
{
    [$o, $pos] = parseArgs('flamegraph', $args, [
        '-o' => ['out', true], '--output' => ['out', true], '--metric' => ['metric', true],
        '--title' => ['title', true], '-h' => ['help', false], '--help' => ['help', false],
    ]);
    if (isset($o['help'])) {
        return help('flamegraph');
    }
    expectFiles('flamegraph', $pos, 1, 'memprof flamegraph FILE -o OUT.html');
    if (!isset($o['out']) || $o['out'] === '') {
        throw new UsageError('flamegraph: missing -o OUT.html (use -o - for standard output)');
    }
    $p = Profile::load($pos[0]);
    $default = resolveMetric($p, $o['metric'] ?? null);
    $html = flamegraphHtml($p, $default, $o['title'] ?? basename($p->path));
    if ($o['out'] === '-') {
        fwrite(STDOUT, $html);
        return 0;
    }
    $dest = $o['out'];
    $tmp = $dest . '.tmp' . getmypid();
    if (@file_put_contents($tmp, $html) !== \strlen($html)) {
        @unlink($tmp);
        throw new Failure("$dest: cannot write the file" . lastError());
    }
    if (!@rename($tmp, $dest)) {
        @unlink($tmp);
        throw new Failure("$dest: cannot write the file" . lastError());
    }
    fwrite(STDERR, "memprof: wrote $dest\n");
    return 0;
}

function flamegraphHtml(Profile $p, Metric $default, string $title): string
{
    $metrics = [];
    foreach (array_keys(METRICS) as $k) {
        try {
            $metrics[] = resolveMetric($p, $k);
        } catch (Failure) {
            // not in this profile
        }
    }
    if ($metrics === []) {
        foreach ($p->typeNames() as $name) {
            $metrics[] = resolveMetric($p, $name);
        }
    }
    $defaultIndex = null;
    foreach ($metrics as $i => $m) {
        if ($m->vi === $default->vi) {
            $defaultIndex = $i;
        }
    }
    if ($defaultIndex === null) {
        array_unshift($metrics, $default);
        $defaultIndex = 0;
    }
    $frames = [];
    foreach ($p->frames as [$name, $file, $line]) {
        $frames[] = [displayName($name), $file === INTERNAL_FILE || $file === '' ? $file : displayPath($file), $line];
    }
    $samples = [];
    foreach ($p->samples as [$stack, $values]) {
        $nonzero = false;
        foreach ($values as $v) {
            if ($v !== 0) {
                $nonzero = true;
                break;
            }
        }
        if ($nonzero) {
            $samples[] = [array_reverse($stack), $values];
        }
    }
    $data = [
        'title' => $title,
        'types' => $p->sampleTypes,
        'metrics' => array_map(static fn (Metric $m): array => [
            'key' => $m->key, 'label' => $m->label, 'vi' => $m->vi, 'ci' => $m->ci, 'unit' => $m->unit,
        ], $metrics),
        'metric' => $defaultIndex,
        'frames' => $frames,
        'samples' => $samples,
    ];
    $json = json_encode(
        $data,
        JSON_HEX_TAG | JSON_HEX_AMP | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR
    );
    $html = FLAMEGRAPH_TEMPLATE;
    return strtr($html, [
        '{{TITLE}}' => htmlspecialchars('memprof: ' . $title, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8'),
        '{{DATA}}' => $json,
    ]);
}

// ---------------------------------------------------------------------------
// The flame graph page
// ---------------------------------------------------------------------------

const FLAMEGRAPH_TEMPLATE = <<<'HTML'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{{TITLE}}</title>
<style>
:root { --bg: #fbfbfa; --fg: #1d1d1f; --muted: #6b6b70; --line: #dedede; --accent: #c026d3; }
* { box-sizing: border-box; }
html, body { margin: 0; }
body { font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; z-index: 3; background: #fff; border-bottom: 1px solid var(--line); padding: 8px 12px; }
h1 { margin: 0 0 6px; font-size: 15px; font-weight: 600; }
h1 .name { font-weight: 400; color: var(--muted); margin-left: 6px; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; }
.group { display: inline-flex; border: 1px solid #bbb; border-radius: 5px; overflow: hidden; }
.group button { border: 0; border-right: 1px solid #bbb; background: #fff; padding: 3px 10px; font: inherit; cursor: pointer; }
.group button:last-child { border-right: 0; }
.group button[aria-pressed="true"] { background: #2f2f33; color: #fff; }
button#reset { border: 1px solid #bbb; border-radius: 5px; background: #fff; padding: 3px 10px; font: inherit; cursor: pointer; }
button#reset:disabled { color: #aaa; cursor: default; }
input#search { width: 18em; padding: 3px 7px; border: 1px solid #bbb; border-radius: 5px; font: inherit; }
input#search.bad { border-color: #d33; }
label.check { color: var(--muted); user-select: none; }
#summary { margin-top: 6px; color: var(--muted); }
#summary b { color: var(--fg); font-weight: 600; }
#matched { margin-left: 14px; color: var(--accent); }
#errors { background: #fde8e8; color: #8a1111; padding: 6px 12px; border-bottom: 1px solid #f3b4b4; font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; }
main { padding: 10px 12px 60px; }
#chart { position: relative; width: 100%; min-height: 40px; }
#empty { color: var(--muted); padding: 20px 0; }
.frame { position: absolute; height: 17px; padding: 0 4px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis;
  font: 11px/17px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; color: #1a1a1a; cursor: pointer;
  border-right: 1px solid var(--bg); border-bottom: 1px solid var(--bg); border-radius: 2px; }
.frame:hover { box-shadow: inset 0 0 0 1px #000; }
.frame.ancestor { opacity: .55; }
.frame.zoomed { box-shadow: inset 0 -2px 0 #000; }
.frame.dim { opacity: .28; }
.frame.match { background: var(--accent) !important; color: #fff; opacity: 1; }
footer { position: fixed; left: 0; right: 0; bottom: 0; z-index: 3; background: #fff; border-top: 1px solid var(--line);
  padding: 6px 12px; min-height: 32px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
</style>
</head>
<body data-status="loading">
<script>
window.addEventListener('error', function (e) {
  var box = document.getElementById('errors');
  if (box) { box.hidden = false; box.textContent += 'Error: ' + e.message + (e.lineno ? ' (line ' + e.lineno + ')' : '') + '\n'; }
  document.body.setAttribute('data-status', 'error');
});
</script>
<header>
  <h1>memprof flame graph<span class="name" id="name"></span></h1>
  <div class="bar">
    <span class="group" id="metrics" role="group" aria-label="Metric"></span>
    <input id="search" type="search" placeholder="Search (regular expression)" aria-label="Search frames" autocomplete="off" spellcheck="false">
    <label class="check"><input id="merge" type="checkbox"> merge lines of a function</label>
    <button id="reset" type="button" disabled>Reset zoom</button>
  </div>
  <div id="summary"><span id="total"></span><span id="matched"></span></div>
</header>
<div id="errors" hidden></div>
<main><div id="chart"></div></main>
<footer id="info"></footer>
<script type="application/json" id="memprof-data">{{DATA}}</script>
<script>
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('memprof-data').textContent);
  var ROW = 18, HINT = 'Hover a frame for details. Click to zoom in, click an ancestor or press Esc to zoom out.';
  var chart = document.getElementById('chart'), info = document.getElementById('info'),
      search = document.getElementById('search'), merge = document.getElementById('merge'),
      reset = document.getElementById('reset'), totalEl = document.getElementById('total'),
      matchedEl = document.getElementById('matched'), metricsEl = document.getElementById('metrics');
  var state = { metric: D.metric, zoom: null, re: null, root: null };

  function num(v) { return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function fmt(v, unit) {
    if (unit === 'bytes') {
      var a = Math.abs(v);
      if (a < 1024) { return v + ' B'; }
      var u = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'], i = 0, x = a / 1024;
      while (x >= 1024 && i < u.length - 1) { x /= 1024; i++; }
      return (v < 0 ? '-' : '') + (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)) + ' ' + u[i];
    }
    return num(v) + (unit && unit !== 'count' ? ' ' + unit : '');
  }
  function pct(a, b) { return b > 0 ? (100 * a / b).toFixed(1) + '%' : '-'; }
  function M() { return D.metrics[state.metric]; }

  function node(name, file, line, parent) {
    return { name: name, file: file, line: line, parent: parent, depth: parent ? parent.depth + 1 : 0,
             v: D.types.map(function () { return 0; }), kids: [], byKey: new Map(), sortedBy: -1 };
  }
  function build(mergeLines) {
    var root = node('all', '', 0, null), nt = D.types.length;
    D.samples.forEach(function (s) {
      var stack = s[0], vals = s[1], n = root, i, j, f, key, c;
      for (j = 0; j < nt; j++) { root.v[j] += vals[j]; }
      for (i = 0; i < stack.length; i++) {
        f = D.frames[stack[i]];
        key = mergeLines ? f[0] + '\u0000' + f[1] : stack[i];
        c = n.byKey.get(key);
        if (!c) { c = node(f[0], f[1], mergeLines ? 0 : f[2], n); n.byKey.set(key, c); n.kids.push(c); }
        for (j = 0; j < nt; j++) { c.v[j] += vals[j]; }
        n = c;
      }
    });
    return root;
  }
  function internal(n) { return n.file === 'php:internal'; }
  function where(n) {
    if (!n.parent) { return ''; }
    if (internal(n) || !n.file) { return n.file || ''; }
    return n.file + (n.line > 0 ? ':' + n.line : '');
  }
  function label(n) {
    if (!n.parent) { return 'all'; }
    if (internal(n) || !n.file || n.line <= 0) { return n.name; }
    if (n.name === 'main ' + n.file) { return n.name + ':' + n.line; }
    var base = n.file.replace(/^.*\//, '');
    return n.name + ' ' + base + ':' + n.line;
  }
  function hash(s) {
    var h = 2166136261;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return h >>> 0;
  }
  function color(n) {
    if (!n.parent) { return 'hsl(220,8%,78%)'; }
    var h = hash(n.name);
    if (internal(n)) { return 'hsl(' + (188 + h % 28) + ',52%,' + (66 + (h >>> 8) % 10) + '%)'; }
    return 'hsl(' + (8 + h % 40) + ',' + (72 + (h >>> 8) % 18) + '%,' + (60 + (h >>> 16) % 10) + '%)';
  }
  function matches(n) {
    if (!state.re || !n.parent) { return false; }
    state.re.lastIndex = 0;
    return state.re.test(n.name + ' ' + where(n));
  }
  function sortedKids(n, vi) {
    if (n.sortedBy !== vi) {
      n.kids.sort(function (a, b) {
        return (b.v[vi] - a.v[vi]) || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.line - b.line);
      });
      n.sortedBy = vi;
    }
    return n.kids;
  }
  function selfValue(n, vi) {
    var s = n.v[vi];
    for (var i = 0; i < n.kids.length; i++) { s -= n.kids[i].v[vi]; }
    return s;
  }
  function describe(n) {
    var m = M(), vi = m.vi, z = state.zoom || state.root, parts = [label(n) === n.name ? n.name : n.name];
    if (where(n)) { parts.push(where(n)); }
    parts.push(m.label + ': ' + fmt(n.v[vi], m.unit) + ' (' + pct(n.v[vi], state.root.v[vi]) + ' of all'
      + (z !== state.root ? ', ' + pct(n.v[vi], z.v[vi]) + ' of zoom' : '') + ')');
    parts.push('self ' + fmt(selfValue(n, vi), m.unit));
    if (m.ci !== null && m.ci !== undefined) { parts.push(num(n.v[m.ci]) + ' blocks'); }
    return parts.join('  \u2014  ');
  }
  function box(frag, n, x, w, extra) {
    var el = document.createElement('div');
    var cls = 'frame' + extra;
    if (state.re) { cls += matches(n) ? ' match' : ' dim'; }
    el.className = cls;
    el.style.left = x.toFixed(2) + 'px';
    el.style.width = Math.max(w, 1).toFixed(2) + 'px';
    el.style.top = (n.depth * ROW) + 'px';
    el.style.background = color(n);
    var text = label(n);
    if (w >= 28) { el.textContent = text; }
    el._node = n;
    el._label = text;
    frag.appendChild(el);
    return el;
  }
  function render() {
    var m = M(), vi = m.vi, root = state.root;
    if (state.zoom && !(state.zoom.v[vi] > 0)) { state.zoom = null; }
    var z = state.zoom || root, W = chart.clientWidth || 1000;
    chart.textContent = '';
    var frag = document.createDocumentFragment(), maxDepth = 0, count = 0;
    for (var a = z.parent; a; a = a.parent) { box(frag, a, 0, W, ' ancestor'); }
    if (z.v[vi] > 0) {
      var scale = W / z.v[vi], todo = [[z, 0]];
      while (todo.length) {
        var item = todo.pop(), n = item[0], x = item[1], w = n.v[vi] * scale;
        if (n.v[vi] <= 0 || (w < 0.4 && n !== z)) { continue; }
        box(frag, n, x, w, n === z && z !== root ? ' zoomed' : '');
        count++;
        if (n.depth > maxDepth) { maxDepth = n.depth; }
        var ks = sortedKids(n, vi), cx = x;
        for (var i = 0; i < ks.length; i++) {
          if (ks[i].v[vi] <= 0) { break; }
          todo.push([ks[i], cx]);
          cx += ks[i].v[vi] * scale;
        }
      }
    } else {
      var empty = document.createElement('div');
      empty.id = 'empty';
      empty.textContent = 'Nothing recorded for ' + m.label + '.';
      frag.appendChild(empty);
    }
    chart.appendChild(frag);
    chart.style.height = ((maxDepth + 1) * ROW + 4) + 'px';
    chart.setAttribute('data-frames', String(count));
    reset.disabled = z === root;
    totalEl.innerHTML = '';
    var b = document.createElement('b');
    b.textContent = fmt(root.v[vi], m.unit);
    totalEl.appendChild(document.createTextNode('Total ' + m.label + ': '));
    totalEl.appendChild(b);
    if (m.ci !== null && m.ci !== undefined) { totalEl.appendChild(document.createTextNode(' in ' + num(root.v[m.ci]) + ' blocks')); }
    if (z !== root) { totalEl.appendChild(document.createTextNode('  \u00b7  zoomed on ' + label(z) + ': ' + fmt(z.v[vi], m.unit))); }
    renderMatched();
    Array.prototype.forEach.call(metricsEl.children, function (btn, i) {
      btn.setAttribute('aria-pressed', i === state.metric ? 'true' : 'false');
    });
  }
  function renderMatched() {
    if (!state.re) { matchedEl.textContent = ''; return; }
    var m = M(), vi = m.vi, sum = 0, todo = [state.root];
    while (todo.length) {
      var n = todo.pop();
      if (matches(n)) { sum += n.v[vi]; continue; }
      for (var i = 0; i < n.kids.length; i++) { todo.push(n.kids[i]); }
    }
    matchedEl.textContent = 'Matched: ' + fmt(sum, m.unit) + ' (' + pct(sum, state.root.v[vi]) + ')';
  }
  function zoomTo(n) { state.zoom = n && n.parent ? n : null; render(); }
  function setSearch(text) {
    search.classList.remove('bad');
    if (text === '') { state.re = null; render(); return; }
    try { state.re = new RegExp(text, 'i'); }
    catch (e) { search.classList.add('bad'); state.re = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'); }
    render();
  }

  D.metrics.forEach(function (m, i) {
    var btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'metric';
    btn.setAttribute('data-metric', m.key);
    btn.textContent = m.label;
    btn.addEventListener('click', function () { state.metric = i; render(); });
    metricsEl.appendChild(btn);
  });
  chart.addEventListener('click', function (e) {
    var el = e.target.closest('.frame');
    if (el) { zoomTo(el._node); }
  });
  chart.addEventListener('mouseover', function (e) {
    var el = e.target.closest('.frame');
    if (el) { info.textContent = describe(el._node); el.title = info.textContent; }
  });
  chart.addEventListener('mouseleave', function () { info.textContent = HINT; });
  search.addEventListener('input', function () { setSearch(search.value); });
  merge.addEventListener('change', function () { state.root = build(merge.checked); state.zoom = null; render(); });
  reset.addEventListener('click', function () { zoomTo(null); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      if (document.activeElement === search && search.value !== '') { search.value = ''; setSearch(''); }
      else { zoomTo(null); }
    } else if (e.key === '/' && document.activeElement !== search) { e.preventDefault(); search.focus(); }
  });
  var pending = false;
  window.addEventListener('resize', function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; render(); });
  });

  document.getElementById('name').textContent = D.title;
  info.textContent = HINT;
  state.root = build(false);
  render();
  if (document.body.getAttribute('data-status') !== 'error') { document.body.setAttribute('data-status', 'ready'); }
})();
</script>
</body>
</html>

HTML;
