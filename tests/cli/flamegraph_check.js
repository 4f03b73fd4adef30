// Drives a flame graph page written by `memprof flamegraph` the way a person
// would (click, type, switch, press Esc) and records what it saw.
// tests/cli/run.sh injects this file, after `var CHECK = '<name>';`, at the
// end of a copy of the page, runs headless Chromium with --dump-dom and greps
// the <pre id="selftest"> it writes: one "PASS name" or "FAIL name: why" per
// check, and data-selftest="pass" or "fail" on <body>.
(function () {
  'use strict';
  var results = [];
  function check(name, cond, detail) {
    results.push((cond ? 'PASS ' : 'FAIL ') + name + (cond ? '' : ': ' + detail));
  }
  function frames() { return Array.prototype.slice.call(document.querySelectorAll('#chart .frame')); }
  // a drawn frame by its label (narrow frames are drawn without text)
  function frame(text) { return frames().filter(function (el) { return el._label === text; })[0]; }
  function text(id) { return document.getElementById(id).textContent; }
  function click(el) { el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true })); }
  function type(value) {
    var s = document.getElementById('search');
    s.value = value;
    s.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function metric(key) { click(document.querySelector('button.metric[data-metric="' + key + '"]')); }
  function width(el) { return el ? el.getBoundingClientRect().width : -1; }

  try {
    check('page rendered', document.body.getAttribute('data-status') === 'ready', 'data-status=' + document.body.getAttribute('data-status'));
    check('no error shown', document.getElementById('errors').hidden, text('errors'));
    check('no network references', !/(?:https?:)?\/\/[a-z]/i.test(
      Array.prototype.map.call(document.querySelectorAll('[src],[href]'), function (e) { return e.outerHTML; }).join(' ')), 'external src/href');

    if (CHECK === 'worker') {
      var chartW = document.getElementById('chart').clientWidth;
      check('total in-use', text('total') === 'Total in-use bytes: 1.50 MiB in 1,066 blocks', text('total'));
      check('metric buttons', document.querySelectorAll('button.metric').length === 3, 'count ' + document.querySelectorAll('button.metric').length);
      var root = frame('all');
      check('root spans the chart', root && Math.abs(width(root) - chartW) < 2, width(root) + ' vs ' + chartW);
      var leak = frame('Worker::handle worker.php:25');
      check('leak frame present', !!leak, 'frames: ' + frames().map(function (e) { return e.textContent; }).join('|'));
      check('leak frame width', leak && Math.abs(width(leak) / chartW - 1568768 / 1575744) < 0.01, width(leak) / chartW);

      // zoom on click
      click(leak);
      var zoomed = frame('Worker::handle worker.php:25');
      check('click zooms', zoomed && Math.abs(width(zoomed) - chartW) < 2 && zoomed.classList.contains('zoomed'), width(zoomed));
      var anc = frame('Worker::run worker.php:14');
      check('ancestors kept', anc && anc.classList.contains('ancestor'), anc ? anc.className : 'missing');
      check('other branches hidden', !frame('main /app/worker.php:5'), 'main:5 still shown');
      check('reset enabled', !document.getElementById('reset').disabled, 'disabled');
      check('zoom in summary', /zoomed on Worker::handle worker\.php:25: 1\.50 MiB$/.test(text('total')), text('total'));

      // search
      type('str_rep');
      var matches = document.querySelectorAll('#chart .frame.match');
      check('search highlights', matches.length === 1 && matches[0].textContent === 'str_repeat', matches.length);
      check('search total', text('matched') === 'Matched: 1.46 MiB (97.5%)', text('matched'));
      check('non-matches dimmed', frame('Worker::run worker.php:14').classList.contains('dim'), 'not dimmed');
      type('(');  // not a valid regexp: searched as text, box marked
      check('bad regexp tolerated', document.getElementById('search').classList.contains('bad') && text('matched') === 'Matched: 0 B (0.0%)', text('matched'));
      type('str_repeat');

      // metric switch
      metric('alloc');
      check('alloc total', /^Total allocated bytes: 6\.48 MiB in 57,029 blocks/.test(text('total')), text('total'));
      check('alloc button pressed', document.querySelector('button.metric[data-metric="alloc"]').getAttribute('aria-pressed') === 'true', 'not pressed');
      check('alloc search total', text('matched') === 'Matched: 1.46 MiB (22.6%)', text('matched'));
      metric('peak');
      check('peak total', /^Total bytes live at peak: 1\.51 MiB in 1,122 blocks/.test(text('total')), text('total'));

      // Esc zooms out
      type('');
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      check('Esc resets zoom', document.getElementById('reset').disabled && !!frame('main /app/worker.php:5'), 'still zoomed');
      check('search cleared', document.querySelectorAll('#chart .frame.dim, #chart .frame.match').length === 0 && text('matched') === '', text('matched'));

      // clicking an ancestor zooms out to it
      metric('alloc');
      click(frame('{closure} lib.php:7'));
      check('zoom on a callback', frame('{closure} lib.php:7').classList.contains('zoomed') && !frame('json_decode'), text('total'));
      click(frame('Worker::handle worker.php:23'));
      check('ancestor click zooms out', frame('Worker::handle worker.php:23').classList.contains('zoomed')
        && !!frame('array_map') && !frame('json_decode'), text('total'));
      click(document.getElementById('reset'));
      metric('inuse');

      // merge lines
      var before = frames().filter(function (e) { return /^Worker::handle/.test(e._label); }).length;
      var merge = document.getElementById('merge');
      merge.checked = true;
      merge.dispatchEvent(new Event('change', { bubbles: true }));
      var after = frames().filter(function (e) { return e._label === 'Worker::handle'; }).length;
      check('merge lines', before === 2 && after === 1, before + ' -> ' + after);

      // hover details
      frame('Worker::handle').dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
      check('hover details', /^Worker::handle  —  \/app\/worker\.php  —  in-use bytes: 1\.50 MiB \(99\.7% of all\)  —  self 32\.0 KiB  —  1,052 blocks$/.test(text('info')), text('info'));
    } else if (CHECK === 'weird') {
      check('markup shown as text', !!frame('<\/script><img src=x onerror=alert(1)> a&b.php:4'), frames().map(function (e) { return e.textContent; }).join('|'));
      check('no injected element', document.querySelectorAll('img').length === 0, 'an <img> exists');
      check('utf-8 names', !!frame('Évènement::traiter a&b.php:10'), 'missing');
      check('title escaped', document.title === 'memprof: weird.pb.gz', document.title);
    } else if (CHECK === 'go') {
      check('only the metrics the profile has', document.querySelectorAll('button.metric').length === 2, document.querySelectorAll('button.metric').length);
      check('go total', /^Total in-use bytes: 1\.29 MiB in 808 blocks/.test(text('total')), text('total'));
      check('go frames', !!frame('main.leak main.go:16'), 'missing');
    } else {
      check('known check', false, 'CHECK=' + CHECK);
    }
  } catch (e) {
    check('no exception', false, String(e && e.stack || e));
  }
  var pre = document.createElement('pre');
  pre.id = 'selftest';
  pre.textContent = results.join('\n');
  document.body.appendChild(pre);
  document.body.setAttribute('data-selftest', results.every(function (r) { return r.indexOf('PASS') === 0; }) ? 'pass' : 'fail');
})();
