// The stepping page of `maillab export --to html`, inlined into one self-contained file that
// works from file:// without a network. It reads the events from the page's JSON data element
// (id "maillab-data") and only ever puts their text into the page as text (textContent), never
// as markup: a trace carries whatever crossed the wire.
(function () {
  'use strict';

  var STRINGS = {
    en: {
      first: '|◀ First', previous: '◀ Previous', next: 'Next ▶', last: 'Last ▶|',
      protocol: 'Protocol', all: 'all', diagram: 'Diagram', list: 'Event list',
      hint: 'Keys: → or space next, ← previous, Home first, End last',
      position: 'Event {n} of {total}', none_match: 'No event of this protocol',
      explanation: 'Explanation', raw: 'Raw bytes', fields: 'Fields', cause: 'Caused by',
      remarks: "Teacher's notes", no_explanation: 'No explanation for this event.',
      no_raw: 'This event carries no bytes of its own.', no_fields: 'No other fields.',
      not_exported: '(not in this export)', connection: 'connection', octets: 'octets',
      bookmark: 'Bookmark', too_large: 'The diagram is left out of this page: it would have {rows} rows. Use the event list, or export fewer events (--from, --until, --proto, --conn).',
      col_seq: 'seq', col_time: 'time', col_proto: 'proto', col_kind: 'kind', col_route: 'from → to', col_text: 'text'
    },
    zh: {
      first: '|◀ 第一个', previous: '◀ 上一个', next: '下一个 ▶', last: '最后一个 ▶|',
      protocol: '协议', all: '全部', diagram: '时序图', list: '事件列表',
      hint: '按键：→ 或空格 下一个，← 上一个，Home 第一个，End 最后一个',
      position: '第 {n} 个事件，共 {total} 个', none_match: '没有这个协议的事件',
      explanation: '解释', raw: '原始字节', fields: '字段', cause: '起因',
      remarks: '教师批注', no_explanation: '这个事件没有解释。',
      no_raw: '这个事件本身不携带字节。', no_fields: '没有其他字段。',
      not_exported: '（不在本次导出中）', connection: '连接', octets: '字节',
      bookmark: '书签', too_large: '本页没有包含时序图：它会有 {rows} 行。请使用事件列表，或导出更少的事件（--from、--until、--proto、--conn）。',
      col_seq: '序号', col_time: '时间', col_proto: '协议', col_kind: '类型', col_route: '从 → 到', col_text: '内容'
    }
  };
  // The core fields of every event (docs/trace-format.md); the rest are kind-specific.
  var CORE = ['seq', 't_us', 'cause', 'conn', 'proto', 'from', 'to', 'kind', 'text', 'raw',
              'raw_b64', 'explain'];
  var COLOURS = { smtp: '#1f6fd1', pop3: '#1e9a3a', imap: '#d9730d', http: '#9b4dd6',
                  dns: '#b58900', tls: '#0f9ea3' };

  var data = JSON.parse(document.getElementById('maillab-data').textContent);
  var events = data.events;
  var t = STRINGS[data.lang] || STRINGS.en;
  var other = data.lang === 'zh' ? 'en' : 'zh';
  var $ = function (id) { return document.getElementById(id); };

  function say(key, values) {
    return t[key].replace(/\{(\w+)\}/g, function (m, name) {
      return values && name in values ? String(values[name]) : m;
    });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function isCore(name) { return CORE.indexOf(name) >= 0; }
  function time(e) { return ((e.t_us - data.start_us) / 1e6).toFixed(3) + ' s'; }
  function connProto(e) {
    var c = e.conn ? data.conns[String(e.conn)] : null;
    return c ? c.proto : '';
  }

  // Where each event is drawn and listed.
  var indexOfSeq = {};
  events.forEach(function (e, i) { indexOfSeq[e.seq] = i; });
  var diagramRows = {};
  Array.prototype.forEach.call(document.querySelectorAll('#diagram-pane g.row'), function (g) {
    var seq = g.getAttribute('data-seq');
    (diagramRows[seq] = diagramRows[seq] || []).push(g);
    g.addEventListener('click', function () { go(indexOfSeq[seq]); });
  });
  var listRows = [];

  function buildList() {
    var body = $('event-list').tBodies[0];
    var head = $('event-list').tHead.rows[0];
    ['col_seq', 'col_time', 'col_proto', 'col_kind', 'col_route', 'col_text'].forEach(function (k) {
      head.appendChild(el('th', '', t[k]));
    });
    var fragment = document.createDocumentFragment();
    events.forEach(function (e, i) {
      var tr = el('tr');
      tr.appendChild(el('td', 'num', e.seq));
      tr.appendChild(el('td', 'num', time(e)));
      tr.appendChild(el('td', '', e.proto || ''));
      tr.appendChild(el('td', '', e.kind));
      tr.appendChild(el('td', '', e.to ? e.from + ' → ' + e.to : (e.from || '')));
      tr.appendChild(el('td', 'text', e.text));
      tr.addEventListener('click', function () { go(i); });
      listRows.push(tr);
      fragment.appendChild(tr);
    });
    body.appendChild(fragment);
  }

  // The explanation's {placeholders} filled from the event's fields, as the terminal does.
  function fill(text, e) {
    return text.replace(/\{([^}]*)\}/g, function (m, name) {
      if (isCore(name) || !(name in e)) return m;
      var v = e[name];
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }

  // Exact bytes with their line ends and control bytes made visible.
  function showRaw(node, e) {
    clear(node);
    if (typeof e.raw === 'string') {
      var text = e.raw;
      var octets = new TextEncoder().encode(text).length;
      for (var i = 0; i < text.length; i++) {
        var ch = text[i], code = text.charCodeAt(i);
        if (ch === '\r') node.appendChild(el('span', 'ctl', '\\r'));
        else if (ch === '\n') { node.appendChild(el('span', 'ctl', '\\n')); node.appendChild(document.createTextNode('\n')); }
        else if (ch === '\t') node.appendChild(el('span', 'ctl', '\\t'));
        else if (code < 0x20 || code === 0x7f) node.appendChild(el('span', 'ctl', '\\x' + (code < 16 ? '0' : '') + code.toString(16).toUpperCase()));
        else {
          var run = i;
          while (run < text.length && !/[\x00-\x1f\x7f]/.test(text[run])) run++;
          node.appendChild(document.createTextNode(text.slice(i, run)));
          i = run - 1;
        }
      }
      node.appendChild(el('div', 'none', octets + ' ' + t.octets));
    } else if (typeof e.raw_b64 === 'string') {
      // Not UTF-8 (8-bit GBK text, binary): a hex dump.
      var bytes = atob(e.raw_b64), lines = [];
      for (var off = 0; off < bytes.length; off += 16) {
        var hex = '', ascii = '';
        for (var k = off; k < off + 16; k++) {
          if (k < bytes.length) {
            var b = bytes.charCodeAt(k);
            hex += (b < 16 ? '0' : '') + b.toString(16) + ' ';
            ascii += b >= 0x20 && b < 0x7f ? bytes[k] : '.';
          } else hex += '   ';
        }
        lines.push(('000' + off.toString(16)).slice(-4) + '  ' + hex + ' ' + ascii);
      }
      node.textContent = lines.join('\n');
      node.appendChild(el('div', 'none', bytes.length + ' ' + t.octets));
    } else {
      node.appendChild(el('span', 'none', t.no_raw));
    }
  }

  function showFields(table, e) {
    clear(table);
    var names = Object.keys(e).filter(function (k) { return !isCore(k); });
    if (!names.length) {
      var row = table.insertRow();
      row.insertCell().appendChild(el('span', 'none', t.no_fields));
      return;
    }
    names.forEach(function (k) {
      var row = table.insertRow();
      row.insertCell().textContent = k;
      var v = e[k];
      row.insertCell().appendChild(el('pre', '', typeof v === 'string' ? v : JSON.stringify(v, null, 1)));
    });
  }

  function showExplanation(node, e) {
    clear(node);
    var x = e.explain ? data.explanations[e.explain] : null;
    if (!x) { node.appendChild(el('p', 'none', t.no_explanation)); return; }
    node.appendChild(el('p', 'explain-main', fill(x[data.lang] || x.en, e)));
    var second = el('p', 'explain-secondary', fill(x[other] || '', e));
    second.lang = other === 'zh' ? 'zh-CN' : 'en';
    node.appendChild(second);
    if (x.rfc) node.appendChild(el('p', 'rfc', x.rfc));
  }

  function showRemarks(node, e) {
    clear(node);
    var mine = data.remarks.filter(function (r) { return r.seq === e.seq; });
    $('remarks-section').hidden = mine.length === 0;
    mine.forEach(function (r) {
      node.appendChild(el('div', 'remark', (r.bookmark ? t.bookmark + ': ' : '') + r.text));
    });
  }

  function showCause(node, e) {
    clear(node);
    $('cause-section').hidden = !e.cause;
    if (!e.cause) return;
    var i = indexOfSeq[e.cause];
    if (i === undefined) { node.textContent = '#' + e.cause + ' ' + t.not_exported; return; }
    var link = el('span', 'cause-link', '#' + e.cause + '  ' + events[i].text);
    link.addEventListener('click', function () { go(i); });
    node.appendChild(link);
  }

  function showEvent(e) {
    var badge = $('ev-proto');
    badge.textContent = (e.proto || '').toUpperCase();
    badge.style.background = COLOURS[e.proto] || '#6b7280';
    $('ev-kind').textContent = e.kind;
    $('ev-seq').textContent = e.seq;
    $('ev-time').textContent = time(e);
    var route = e.to ? e.from + ' → ' + e.to : (e.from || '');
    if (e.conn) {
      var c = data.conns[String(e.conn)];
      route += ' · ' + t.connection + ' ' + e.conn;
      if (c && c.proto) route += ' (' + c.proto.toUpperCase() + (c.port ? ' ' + c.port : '') + ')';
    }
    $('ev-route').textContent = route;
    $('ev-text').textContent = e.text;
    showRemarks($('ev-remarks'), e);
    showExplanation($('ev-explain'), e);
    showRaw($('ev-raw'), e);
    showFields($('ev-fields'), e);
    showCause($('ev-cause'), e);
  }

  var filter = '';
  var visible = [];  // indices of the events the filter lets through
  var current = -1;

  function matches(e) { return !filter || e.proto === filter || connProto(e) === filter; }

  function setCurrentClass(i, on) {
    if (i < 0) return;
    (diagramRows[events[i].seq] || []).forEach(function (g) { g.classList.toggle('current', on); });
    if (listRows[i]) listRows[i].classList.toggle('current', on);
  }

  function go(i) {
    if (i === undefined || i < 0 || i >= events.length) return;
    setCurrentClass(current, false);
    current = i;
    setCurrentClass(current, true);
    showEvent(events[i]);
    var pos = visible.indexOf(i);
    $('position').textContent = say('position', { n: pos + 1, total: visible.length });
    var rows = diagramRows[events[i].seq];
    if (!$('diagram-pane').hidden && rows) {
      // The arrow or the note itself, not the row's full-width highlight.
      reveal($('diagram-pane'), rows[0].querySelector('line, rect:not(.hl)') || rows[0]);
    } else if (!$('list-pane').hidden) {
      reveal($('list-pane'), listRows[i]);
    }
    try { history.replaceState(null, '', '#seq-' + events[i].seq); } catch (err) { /* file:// in some browsers */ }
  }

  // Scrolls the pane to show the target: a row that leaves the view or nears its bottom comes
  // back a third of the way down (the rows before it give context), and the pane moves sideways only
  // for an arrow or note that fits, so the seq and time column stays in view for wide notes.
  function reveal(pane, target) {
    var p = pane.getBoundingClientRect(), r = target.getBoundingClientRect();
    var top = p.top + 40;  // below the sticky names or column titles
    if (r.top < top || r.bottom > p.bottom - p.height * 0.15) pane.scrollTop += r.top - top - p.height / 3;
    if (r.width < p.width - 40) {
      if (r.left < p.left) pane.scrollLeft += r.left - p.left - 20;
      else if (r.right > p.right) pane.scrollLeft += r.right - p.right + 20;
    }
  }

  function step(direction) {
    if (!visible.length) return;
    var pos = visible.indexOf(current);
    if (pos < 0) {
      // The current event is filtered out: the next or previous one that is not.
      var k = 0;
      while (k < visible.length && visible[k] < current) k++;
      pos = direction > 0 ? k - 1 : k;
    }
    go(visible[Math.max(0, Math.min(visible.length - 1, pos + direction))]);
  }

  function applyFilter(value) {
    filter = value;
    visible = [];
    events.forEach(function (e, i) {
      var ok = matches(e);
      if (ok) visible.push(i);
      (diagramRows[e.seq] || []).forEach(function (g) { g.classList.toggle('dim', !ok); });
      if (listRows[i]) listRows[i].classList.toggle('dim', !ok);
    });
    if (!visible.length) { $('position').textContent = t.none_match; return; }
    if (visible.indexOf(current) < 0) step(1);
    else go(current);
  }

  function showView(which) {
    var diagram = which === 'diagram' && data.diagram;
    $('diagram-pane').hidden = !diagram;
    $('list-pane').hidden = diagram;
    $('view-diagram').setAttribute('aria-pressed', String(diagram));
    $('view-list').setAttribute('aria-pressed', String(!diagram));
    if (current >= 0) go(current);
  }

  // The hosts' names in a strip that stays at the top of the diagram pane while it scrolls
  // down, at the x of each lifeline (the SVG's first row of boxes says where).
  function laneHeader() {
    var svg = document.querySelector('#diagram-pane svg');
    if (!svg) return;
    var strip = el('div', 'lane-head');
    strip.style.width = svg.getAttribute('width') + 'px';
    var seen = 0, count = document.querySelectorAll('#diagram-pane g.lane').length / 2;
    Array.prototype.forEach.call(document.querySelectorAll('#diagram-pane g.lane'), function (g) {
      if (seen++ >= count) return;  // the second row of boxes is at the bottom
      var name = el('span', '', g.querySelector('text').textContent);
      name.style.left = g.getAttribute('data-x') + 'px';
      strip.appendChild(name);
    });
    $('diagram-pane').insertBefore(strip, svg);
    // At the top the SVG's own boxes show the names: the strip appears once they scroll away.
    $('diagram-pane').addEventListener('scroll', function () {
      strip.classList.toggle('on', $('diagram-pane').scrollTop > 44);
    });
  }

  function setup() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-t]'), function (node) {
      node.textContent = t[node.getAttribute('data-t')];
    });
    if (!data.diagram) {
      $('view-diagram').disabled = true;
      $('diagram-pane').appendChild(el('p', 'too-large', say('too_large', { rows: data.diagram_rows })));
    }
    var select = $('proto-filter');
    var protos = [];
    events.forEach(function (e) {
      [e.proto, connProto(e)].forEach(function (p) {
        if (p && protos.indexOf(p) < 0) protos.push(p);
      });
    });
    select.appendChild(el('option', '', t.all)).value = '';
    protos.forEach(function (p) { select.appendChild(el('option', '', p.toUpperCase())).value = p; });
    // Focus goes back to the page after a click or a choice, so the keys step again at once
    // (and a space on a focused button does not step twice).
    select.addEventListener('change', function () { applyFilter(select.value); select.blur(); });
    function button(id, action) {
      $(id).addEventListener('click', function (ev) { action(); ev.currentTarget.blur(); });
    }
    button('btn-first', function () { if (visible.length) go(visible[0]); });
    button('btn-prev', function () { step(-1); });
    button('btn-next', function () { step(1); });
    button('btn-last', function () { if (visible.length) go(visible[visible.length - 1]); });
    button('view-diagram', function () { showView('diagram'); });
    button('view-list', function () { showView('list'); });
    document.addEventListener('keydown', function (ev) {
      var tag = ev.target && ev.target.tagName;
      if (tag === 'SELECT' || tag === 'INPUT' || tag === 'TEXTAREA') return;
      if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
      var key = ev.key;
      if (key === 'ArrowRight' || (key === ' ' && !ev.shiftKey)) step(1);
      else if (key === 'ArrowLeft' || (key === ' ' && ev.shiftKey)) step(-1);
      else if (key === 'Home') { if (visible.length) go(visible[0]); }
      else if (key === 'End') { if (visible.length) go(visible[visible.length - 1]); }
      else return;
      ev.preventDefault();
    });
    laneHeader();
    buildList();
    applyFilter('');
    showView(data.diagram ? 'diagram' : 'list');
    var m = /^#seq-(\d+)$/.exec(location.hash);
    go(m && indexOfSeq[m[1]] !== undefined ? indexOfSeq[m[1]] : 0);
  }

  setup();
})();
