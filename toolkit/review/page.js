/* captionkit review page: everything runs from this file's data; nothing is fetched. */
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('review-data').textContent);
  const $ = (id) => document.getElementById(id);
  const R = (window.__review = {
    data: D, boxes: [], markers: [], renderTimes: [], frames: 0, draws: 0, firstRenderMs: null, ready: false,
  });

  // ------------------------------------------------------------------------------------------- data
  const cues = D.cues, N = cues.length, findings = D.findings, turns = D.turns, speakers = D.speakers;
  const P = D.profile;
  const S = new Float64Array(N), E = new Float64Array(N);
  let maxDur = 0;
  for (let i = 0; i < N; i++) {
    S[i] = cues[i].s; E[i] = cues[i].e; maxDur = Math.max(maxDur, cues[i].e - cues[i].s);
  }
  const DUR = Math.max(D.duration_ms || 0, N ? E[N - 1] : 0, 1000);
  const PALETTE = ['#4e9af1', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7',
    '#9c755f', '#bab0ac'];
  const NO_SPEAKER = '#8a9099';
  const SEV = { error: '#e5484d', warning: '#f5a524', info: '#6e8efb' };
  const RANK = { info: 0, warning: 1, error: 2 };
  const spColor = (i) => (i < 0 ? NO_SPEAKER : PALETTE[i % PALETTE.length]);
  const hasUnnamed = cues.some((c) => c.sp < 0) || speakers.length === 0;
  const LANES = speakers.length + (hasUnnamed ? 1 : 0);
  const laneOf = (c) => (c.sp >= 0 ? c.sp : speakers.length);
  const cueSev = new Array(N).fill(null);
  findings.forEach((f) => {
    if (f.c !== null && (cueSev[f.c] === null || RANK[f.sev] > RANK[cueSev[f.c]])) cueSev[f.c] = f.sev;
  });
  const timed = findings.map((f, i) => i).filter((i) => findings[i].t !== null)
    .sort((a, b) => findings[a].t - findings[b].t || a - b);
  const sync = D.sync;
  const speech = D.speech || [];
  let env = null;
  if (D.envelope) env = envelopePyramid(D.envelope);

  function b64bytes(s) {
    const bin = atob(s), out = new Int8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = (bin.charCodeAt(i) << 24) >> 24;
    return out;
  }
  function envelopePyramid(e) {
    const levels = [{ lo: b64bytes(e.lo), hi: b64bytes(e.hi), ms: 1000 / e.rate }];
    for (;;) {
      const p = levels[levels.length - 1], n = p.lo.length >> 1;
      if (n < 256) break;
      const lo = new Int8Array(n), hi = new Int8Array(n);
      for (let i = 0; i < n; i++) {
        lo[i] = Math.min(p.lo[2 * i], p.lo[2 * i + 1]);
        hi[i] = Math.max(p.hi[2 * i], p.hi[2 * i + 1]);
      }
      levels.push({ lo, hi, ms: p.ms * 2 });
    }
    return levels;
  }

  // ------------------------------------------------------------------------------------------- helpers
  function pad(n, w) { return String(n).padStart(w, '0'); }
  function clock(ms, frac = true) {
    ms = Math.max(0, Math.round(ms));
    const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}` + (frac ? `.${pad(ms % 1000, 3)}` : '');
  }
  function short(ms, step) {
    ms = Math.max(0, Math.round(ms));
    const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
    let t = h ? `${h}:${pad(m, 2)}:${pad(s, 2)}` : `${m}:${pad(s, 2)}`;
    if (step < 1000) t += `.${pad(Math.floor((ms % 1000) / 100), 1)}`;
    return t;
  }
  function secs(ms) { return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s'; }
  function signed(ms) { return (ms >= 0 ? '+' : '\u2212') + (Math.abs(ms) / 1000).toFixed(3) + ' s'; }
  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  function esc(s) { return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ESC[c]); }
  // the last i with a[i] <= x (-1 if none)
  function lastAtOrBefore(a, x) {
    let lo = 0, hi = a.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] <= x) lo = mid + 1; else hi = mid; }
    return lo - 1;
  }
  function cueAt(t) {  // the cue shown at t (the latest-starting one), or -1
    let i = lastAtOrBefore(S, t);
    for (let k = i; k >= 0 && S[k] >= t - maxDur; k--) if (E[k] > t) return k;
    return -1;
  }

  // ------------------------------------------------------------------------------------------- clock
  const video = $('video');
  let player;
  if (video) {
    player = {
      now: () => video.currentTime * 1000,
      seek: (ms) => { video.currentTime = Math.max(0, ms) / 1000; },
      playing: () => !video.paused && !video.ended,
      toggle: () => { if (video.paused || video.ended) { const p = video.play(); if (p) p.catch(() => {}); } else video.pause(); },
      rate: (r) => { video.playbackRate = r; },
    };
    const track = $('track');
    if (track && track.track) track.track.mode = 'showing';
    video.addEventListener('seeked', () => { dirty = true; });
    video.addEventListener('play', () => { updatePlay(); });
    video.addEventListener('pause', () => { updatePlay(); });
    video.addEventListener('click', () => player.toggle());
    video.addEventListener('loadedmetadata', () => { dirty = true; });
  } else {
    let at = 0, since = null, speed = 1;  // a timer standing in for the video
    const now = () => (since === null ? at : Math.min(DUR, at + (performance.now() - since) * speed));
    player = {
      now,
      seek: (ms) => { at = Math.max(0, Math.min(DUR, ms)); if (since !== null) since = performance.now(); dirty = true; },
      playing: () => since !== null,
      toggle: () => {
        if (since === null) { if (at >= DUR) at = 0; since = performance.now(); }
        else { at = now(); since = null; }
        updatePlay();
      },
      rate: (r) => { at = now(); if (since !== null) since = performance.now(); speed = r; },
    };
  }
  R.time = () => player.now() / 1000;
  R.playing = () => player.playing();
  R.seek = (s) => seek(s * 1000);

  // ------------------------------------------------------------------------------------------- header
  (function header() {
    const name = (D.source.path || '').split(/[\\/]/).pop() || D.source.path;
    $('title').textContent = name;
    const count = { error: 0, warning: 0, info: 0 };
    findings.forEach((f) => { count[f.sev] = (count[f.sev] || 0) + 1; });
    const parts = [`${N} cues`];
    if (turns.length) parts.push(`${turns.length} turns`);
    parts.push(`<b class="error">${count.error}</b> errors`, `<b class="warning">${count.warning}</b> warnings`,
      `<b class="info">${count.info}</b> notes`);
    parts.push(`profile ${esc(P.name)}: ${P.max_chars_per_line}\u00d7${P.max_lines}, ${P.max_cps} cps, ` +
      `${P.min_duration_ms}\u2013${P.max_duration_ms} ms, gap ${P.min_gap_ms} ms`);
    const m = D.meta && D.meta.media;
    if (m) parts.push(`media ${esc(String(m.path || '').split(/[\\/]/).pop())} ${clock(m.duration_ms || 0, false)}` +
      (m.align ? `, align ${esc(m.align)}` : ''));
    if (!D.media) parts.push('no media: the playhead is a timer');
    $('summary').innerHTML = parts.join(' \u00b7 ');
    $('summary').title = `captionkit ${D.version}; ${D.source.kind || ''} ${D.source.layout || ''}`;
    const legend = speakers.map((s, i) => `<span><i style="--c:${spColor(i)}"></i>${esc(s)}</span>`);
    if (hasUnnamed) legend.push(`<span><i style="--c:${NO_SPEAKER}"></i>no speaker</span>`);
    if (speech.length) legend.push('<span><i style="--c:#46a758"></i>speech</span>');
    $('legend').innerHTML = legend.join('');
    if (video) {  // browsers do not show <v> names: colour each voice's captions (and the label above)
      const rules = speakers.map((s, i) =>
        `video::cue(v[voice="${s.replace(/["\\]/g, '\\$&')}"]) { color: ${spColor(i)}; }`);
      const st = document.createElement('style');
      st.textContent = rules.join('\n');
      document.head.appendChild(st);
    }
  })();

  // ------------------------------------------------------------------------------------------- sync panel
  (function syncPanel() {
    if (!sync) return;
    const el = $('sync');
    const unit = sync.unit === 'turn' ? 'turns' : 'cues';
    const state = sync.accepted ? 'applied' : `<span class="bad">not applied: ${esc(sync.reason)}</span>`;
    const conf = sync.confidence == null ? '' : `, confidence ${Number(sync.confidence).toFixed(2)}`;
    const ratio = sync.ratio == null || sync.ratio === 1 ? '' : `, ratio ${Number(sync.ratio).toFixed(5)}`;
    let html = `<b>Sync</b> ${state}: offset ${signed(sync.offset_ms || 0)}${ratio}${conf}` +
      (sync.detector ? ` (speech: ${esc(sync.detector)})` : '') + '<br>';
    html += sync.segments.map((g, k) => `<span class="seg" data-k="${k}" title="seek to this segment">` +
      `${unit} ${g.first}\u2013${g.last} from ${clock(g.from_ms, false)}: ${signed(g.offset_ms)}</span>`).join('');
    el.innerHTML = html;
    el.hidden = false;
    el.addEventListener('click', (ev) => {
      const s = ev.target.closest('.seg');
      if (!s) return;
      const g = sync.segments[+s.dataset.k];
      const first = sync.unit === 'cue' ? cues[g.first - 1] : null;
      seek(first ? first.s : g.from_ms + g.offset_ms, true);
    });
  })();

  // ------------------------------------------------------------------------------------------- the cue list
  const listEl = $('list'), cuesEl = $('cues');
  function findingHtml(k) {
    const f = findings[k], d = f.data || {};
    const name = D.rules[f.code] ? ` <span class="rn">${esc(D.rules[f.code])}</span>` : '';
    const where = f.line && f.cue === null ? ` <span class="rn">line ${f.line}</span>` : '';
    let h = `<div class="f ${f.sev}" data-f="${k}" title="${f.t === null ? '' : 'seek to ' + clock(f.t)}">` +
      `<b>${esc(f.code)}</b> ${esc(f.sev)}${name}${where}: ${esc(f.msg)}`;
    if (d.removed_text !== undefined) {
      h += '<div class="repair">' +
        `<div class="removed"><em>removed${f.line ? ' (line ' + f.line + ')' : ''}</em>${esc(d.removed_text)}</div>` +
        (d.kept_text !== undefined ? `<div class="kept"><em>kept${d.kept_line ? ' (line ' + d.kept_line + ')' : ''}` +
          `</em>${esc(d.kept_text)}</div>` : '') + '</div>';
    } else if (typeof d.text === 'string' && d.text) {
      h += `<details><summary>the text</summary><pre>${esc(d.text)}</pre></details>`;
    }
    return h + '</div>';
  }
  (function buildList() {
    const docF = findings.map((f, k) => k).filter((k) => findings[k].c === null);
    if (docF.length) {
      $('doc-findings').innerHTML = `<h2>About the file (${docF.length})</h2>` + docF.map(findingHtml).join('');
    }
    const html = new Array(N);
    const maxCps = P.max_cps;
    for (let i = 0; i < N; i++) {
      const c = cues[i], d = c.e - c.s, cps = d > 0 ? (c.n * 1000) / d : 0;
      const sp = c.sp >= 0 ? speakers[c.sp] : '';
      const lines = c.lines.map((ln, j) => {
        const who = c.lsp ? c.lsp[j] : -2;
        return who > -2 ? `<div style="color:${spColor(who)}">\u2012${esc(ln)}</div>` : `<div>${esc(ln)}</div>`;
      }).join('');
      const cpsBad = maxCps > 0 && cps > maxCps, durBad = d < P.min_duration_ms || d > P.max_duration_ms;
      let moved = '';
      if (sync && sync.original) {
        const o = sync.original[i];
        if (o && (o[0] !== c.s || o[1] !== c.e)) moved = `<span class="moved">was ${clock(o[0])} (${signed(c.s - o[0])})</span>`;
      }
      const turn = c.t !== undefined ? turns[c.t] : null;
      if (!moved && turn && turn.src !== null && turn.s !== null && turn.src !== turn.s &&
          (i === 0 || cues[i - 1].t !== c.t)) {
        moved = `<span class="moved" title="the turn's timestamp in the transcript, and how far it moved">` +
          `turn stamped ${clock(turn.src)} (${signed(turn.s - turn.src)})</span>`;
      }
      const fs = c.f ? c.f.map(findingHtml).join('') : '';
      html[i] = `<div class="cue${c.f ? ' has-f' : ''}" id="cue-${i}" data-i="${i}" style="--c:${spColor(c.sp)}">` +
        `<div class="hd"><span class="n">#${i + 1}</span><span class="tm">${clock(c.s)} \u2192 ${clock(c.e)}</span>` +
        `<span class="sp">${esc(sp)}</span></div><div class="tx">${lines}</div>` +
        `<div class="ms"><span class="${cpsBad ? 'bad' : ''}" title="characters per second (profile: at most ${maxCps})">` +
        `${cps.toFixed(1)} cps / ${maxCps}</span><span class="${durBad ? 'bad' : ''}" title="duration (profile: ` +
        `${P.min_duration_ms}\u2013${P.max_duration_ms} ms)">${secs(d)} (${P.min_duration_ms / 1000}\u2013` +
        `${P.max_duration_ms / 1000} s)</span>${c.line ? `<span>line ${c.line}</span>` : ''}${moved}</div>${fs}</div>`;
    }
    cuesEl.innerHTML = html.join('');
    const withF = cues.filter((c) => c.f).length;
    $('list-count').textContent = `${withF} of ${N} cues with findings`;
  })();
  $('only-findings').addEventListener('change', (ev) => {
    listEl.classList.toggle('only', ev.target.checked);
    if (curCue >= 0) rowOf(curCue).scrollIntoView({ block: 'nearest' });
  });
  listEl.addEventListener('click', (ev) => {
    const f = ev.target.closest('.f');
    if (f && !ev.target.closest('summary, pre')) { selectFinding(+f.dataset.f); return; }
    const row = ev.target.closest('.cue');
    if (row && !ev.target.closest('summary, pre')) selectCue(+row.dataset.i);
  });
  function rowOf(i) { return $('cue-' + i); }
  let selRow = null, selF = null;
  function markRow(i) {
    if (selRow) selRow.classList.remove('sel');
    selRow = i >= 0 ? rowOf(i) : null;
    if (selRow) { selRow.classList.add('sel'); selRow.scrollIntoView({ block: 'nearest' }); }
  }
  function selectCue(i) {
    if (i < 0 || i >= N) return;
    markRow(i); markFinding(-1);
    seek(cues[i].s, true);
  }
  function markFinding(k) {
    if (selF) selF.classList.remove('sel');
    selF = k >= 0 ? document.querySelector(`.f[data-f="${k}"]`) : null;
    if (selF) { selF.classList.add('sel'); selF.scrollIntoView({ block: 'nearest' }); }
    R.selectedFinding = k;
  }
  function selectFinding(k) {
    const f = findings[k];
    if (!f) return;
    if (f.c !== null) markRow(f.c); else markRow(-1);
    markFinding(k);
    if (f.t !== null) seek(f.t, true);
  }
  R.selectFinding = selectFinding;
  R.selectCue = selectCue;

  // ------------------------------------------------------------------------------------------- transport
  function seek(ms, reveal) {
    ms = Math.max(0, Math.min(DUR, ms));
    player.seek(ms);
    if (reveal) revealTime(ms);
    onTime(ms);
    dirty = true;
  }
  function updatePlay() { $('play').innerHTML = player.playing() ? '&#10073;&#10073;' : '&#9654;'; dirty = true; }
  function stepCue(dir) {
    const t = player.now();
    let i;
    if (dir > 0) { i = lastAtOrBefore(S, t + 1) + 1; } else { i = lastAtOrBefore(S, t - 1); if (i >= 0 && S[i] >= t - 1) i--; }
    if (dir < 0 && i < 0) i = 0;
    if (i >= 0 && i < N) selectCue(i);
  }
  function stepFinding(dir) {
    if (!timed.length) return;
    const t = player.now(), sel = R.selectedFinding;
    let at = sel !== undefined && sel >= 0 ? timed.indexOf(sel) : -1;
    if (at >= 0 && Math.abs(findings[sel].t - t) > 1) at = -1;  // moved away since: go by the time
    let j;
    if (at >= 0) j = at + dir;
    else if (dir > 0) { j = 0; while (j < timed.length && findings[timed[j]].t <= t + 1) j++; }
    else { j = timed.length - 1; while (j >= 0 && findings[timed[j]].t >= t - 1) j--; }
    j = Math.max(0, Math.min(timed.length - 1, j));
    selectFinding(timed[j]);
  }
  // buttons and boxes keep no focus: space and the arrows stay the page's keys
  document.querySelectorAll('button').forEach((b) => b.addEventListener('mouseup', () => b.blur()));
  document.querySelectorAll('input[type=checkbox], select').forEach((b) => b.addEventListener('change', () => b.blur()));
  $('play').addEventListener('click', () => player.toggle());
  $('prev-cue').addEventListener('click', () => stepCue(-1));
  $('next-cue').addEventListener('click', () => stepCue(1));
  $('prev-finding').addEventListener('click', () => stepFinding(-1));
  $('next-finding').addEventListener('click', () => stepFinding(1));
  $('rate').addEventListener('change', (ev) => player.rate(+ev.target.value));
  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tag = (ev.target && ev.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') { if (ev.key !== ' ') return; }
    const k = ev.key;
    if (k === ' ' || k === 'Spacebar') player.toggle();
    else if (k === 'j' || k === 'ArrowDown' || k === 'ArrowRight') stepCue(1);
    else if (k === 'k' || k === 'ArrowUp' || k === 'ArrowLeft') stepCue(-1);
    else if (k === 'n') stepFinding(1);
    else if (k === 'p') stepFinding(-1);
    else if (k === '+' || k === '=') zoomBy(0.5, player.now());
    else if (k === '-' || k === '_') zoomBy(2, player.now());
    else if (k === '0') fit();
    else return;
    ev.preventDefault();
  });

  // what is showing now: the list's current row, the speaker label, the stage without video
  let curCue = -2;
  const who = $('who'), stageText = $('stage-text');
  function onTime(t) {
    $('clock').textContent = clock(t) + ' / ' + clock(DUR, false);
    const i = cueAt(t);
    if (i === curCue) return;
    if (curCue >= 0) { const r = rowOf(curCue); if (r) r.classList.remove('cur'); }
    curCue = i;
    R.currentCue = i;
    if (i >= 0) {
      const r = rowOf(i);
      r.classList.add('cur');
      if ($('follow').checked && player.playing()) r.scrollIntoView({ block: 'nearest' });
    }
    const c = i >= 0 ? cues[i] : null;
    if (c && (c.sp >= 0 || c.lsp)) {
      const names = c.lsp ? [...new Set(c.lsp)] : [c.sp];
      who.innerHTML = names.map((s) => esc(s >= 0 ? speakers[s] : '?')).join(' / ');
      who.style.setProperty('--c', spColor(names[0]));
      who.hidden = false;
    } else who.hidden = true;
    if (stageText) {
      stageText.innerHTML = c ? c.lines.map((ln, j) =>
        `<span class="ln" style="color:${c.lsp ? spColor(c.lsp[j]) : '#fff'}">${esc(ln)}</span>`).join('<br>')
        : '<span class="none">(no caption)</span>';
    }
  }

  // ------------------------------------------------------------------------------------------- timeline
  const cv = $('tl'), wrap = $('tl-wrap'), tip = $('tip'), ctx = cv.getContext('2d');
  const L = {};  // lane tops and heights
  (function layout() {
    let y = 0;
    const add = (name, h) => { L[name] = { y, h }; y += h; };
    add('overview', 18); add('ruler', 20); add('findings', 16);
    if (env) add('env', 60);
    if (speech.length) add('speech', 10);
    if (turns.length) add('turns', 16);
    L.lanes = { y, h: 28 };
    L.fixed = y;
  })();
  function laneHeight() {  // the speaker lanes share the room under the other lanes (24 to 80 px each)
    const room = video ? wrap.clientHeight - L.fixed - 8 : 48 * Math.min(LANES, 4);  // no video: the stage grows
    L.lanes.h = Math.max(24, Math.min(80, Math.floor(room / Math.max(1, LANES))));
    L.height = L.fixed + L.lanes.h * Math.max(1, LANES) + 6;
  }
  const view = { t0: 0, span: DUR };
  let dirty = true, W = 0, dpr = 1;
  function clampView() {
    const minSpan = 400, maxSpan = Math.max(DUR * 1.02, 2000);
    view.span = Math.max(minSpan, Math.min(maxSpan, view.span));
    const lo = -view.span * 0.02, hi = DUR - view.span * 0.98;
    view.t0 = Math.max(lo, Math.min(Math.max(lo, hi), view.t0));
  }
  function fit() { view.t0 = -DUR * 0.01; view.span = DUR * 1.02; clampView(); dirty = true; }
  function zoomBy(f, at) {
    const frac = (at - view.t0) / view.span;
    view.span *= f; clampView();
    view.t0 = at - frac * view.span; clampView(); dirty = true;
  }
  function panBy(ms) { view.t0 += ms; clampView(); dirty = true; }
  function revealTime(t) {
    if (t < view.t0 || t > view.t0 + view.span) { view.t0 = t - view.span * 0.3; clampView(); dirty = true; }
  }
  R.view = () => ({ t0: view.t0, span: view.span });
  R.setView = (t0, span) => { view.t0 = t0; view.span = span; clampView(); dirty = true; };
  R.fit = fit;
  if (DUR <= 180000) fit(); else { view.t0 = 0; view.span = 120000; clampView(); }
  $('zoom-in').addEventListener('click', () => zoomBy(0.5, view.t0 + view.span / 2));
  $('zoom-out').addEventListener('click', () => zoomBy(2, view.t0 + view.span / 2));
  $('zoom-fit').addEventListener('click', fit);

  function resize() {
    dpr = window.devicePixelRatio || 1;
    W = Math.max(100, wrap.clientWidth);
    laneHeight();
    cv.width = Math.round(W * dpr); cv.height = Math.round(L.height * dpr);
    cv.style.height = L.height + 'px';
    dirty = true;
  }
  window.addEventListener('resize', resize);

  const STEPS = [100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 900000,
    1800000, 3600000];
  let charW = 6.5;
  function draw() {
    const t0 = performance.now();
    const v0 = view.t0, span = view.span, v1 = v0 + span, k = W / span, X = (t) => (t - v0) * k;
    const now = player.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, L.height);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    // the overview: the whole duration, the visible window, cues, findings and the playhead
    {
      const o = L.overview, ko = W / DUR;
      ctx.fillStyle = '#101214'; ctx.fillRect(0, o.y, W, o.h);
      ctx.fillStyle = 'rgba(160,170,180,0.35)';
      let lastX = -1;
      for (let i = 0; i < N; i++) {
        const x = Math.floor(S[i] * ko);
        if (x === lastX) continue;
        lastX = x; ctx.fillRect(x, o.y + 10, Math.max(1, (E[i] - S[i]) * ko), 6);
      }
      for (const fi of timed) {
        const f = findings[fi];
        ctx.fillStyle = SEV[f.sev]; ctx.fillRect(Math.floor(f.t * ko), o.y + 2, 2, 7);
      }
      ctx.strokeStyle = '#3e8ef7'; ctx.lineWidth = 1;
      ctx.strokeRect(Math.max(0, v0 * ko) + 0.5, o.y + 0.5, Math.max(3, span * ko) - 1, o.h - 1);
      ctx.fillStyle = '#ff4d4d'; ctx.fillRect(Math.floor(now * ko), o.y, 2, o.h);
    }
    // the ruler
    {
      const r = L.ruler;
      let step = STEPS[STEPS.length - 1];
      for (const s of STEPS) if (s * k >= 70) { step = s; break; }
      ctx.fillStyle = '#181a1d'; ctx.fillRect(0, r.y, W, r.h);
      ctx.strokeStyle = '#2c3036'; ctx.fillStyle = '#9aa1a9'; ctx.beginPath();
      for (let t = Math.floor(Math.max(0, v0) / step) * step; t <= v1; t += step) {
        const x = Math.round(X(t)) + 0.5;
        ctx.moveTo(x, r.y + r.h - 6); ctx.lineTo(x, L.height);
        ctx.fillText(short(t, step), x + 3, r.y + r.h / 2 - 1);
      }
      ctx.stroke();
    }
    // speech activity (behind the envelope too) and its own lane
    if (speech.length) {
      let i = Math.max(0, lastAtOrBeforeSpan(v0));
      const top = env ? L.env.y : L.speech.y, bottom = L.speech.y + L.speech.h;
      ctx.fillStyle = 'rgba(70,167,88,0.12)';
      const lane = L.speech;
      for (; i < speech.length && speech[i][0] <= v1; i++) {
        const x = X(speech[i][0]), w = Math.max(1, X(speech[i][1]) - x);
        ctx.fillStyle = 'rgba(70,167,88,0.12)'; ctx.fillRect(x, top, w, bottom - top);
        ctx.fillStyle = '#46a758'; ctx.fillRect(x, lane.y + 2, w, lane.h - 4);
      }
    }
    // the audio envelope: the pyramid level with about one point per pixel
    if (env) {
      const e = L.env, mid = e.y + e.h / 2, sc = (e.h / 2 - 2) / 127;
      const want = span / W;
      let lv = env[0];
      for (const l of env) { if (l.ms <= want) lv = l; else break; }
      const a = Math.max(0, Math.floor(v0 / lv.ms)), b = Math.min(lv.lo.length, Math.ceil(v1 / lv.ms) + 1);
      const pw = Math.max(1, lv.ms * k);
      ctx.fillStyle = '#7fa6d9';
      ctx.beginPath();
      for (let i = a; i < b; i++) {
        const hi = lv.hi[i], lo = lv.lo[i];
        ctx.rect(X(i * lv.ms), mid - hi * sc, pw, Math.max(1, (hi - lo) * sc));
      }
      ctx.fill();
      ctx.fillStyle = '#2c3036'; ctx.fillRect(0, mid, W, 1);
    }
    // turn timestamps (and where a turn was moved from, when media or a repair re-timed it)
    if (turns.length) {
      const tl = L.turns;
      for (let i = 0; i < turns.length; i++) {
        const t = turns[i];
        if (t.s === null) continue;
        const x = X(t.s);
        if (t.src !== null && t.src !== t.s) {
          const xs = X(t.src);
          if ((xs >= -2 || x >= -2) && (xs <= W + 2 || x <= W + 2)) {
            ctx.strokeStyle = 'rgba(200,200,200,0.55)'; ctx.setLineDash([2, 2]); ctx.beginPath();
            ctx.moveTo(xs, tl.y + tl.h - 3); ctx.lineTo(x, tl.y + tl.h - 3); ctx.stroke(); ctx.setLineDash([]);
            ctx.fillStyle = 'rgba(200,200,200,0.55)'; ctx.fillRect(xs - 0.5, tl.y + 4, 1, tl.h - 6);
          }
        }
        if (x < -2 || x > W + 2) continue;
        ctx.fillStyle = spColor(t.sp); ctx.fillRect(x - 1, tl.y + 1, 2, tl.h - 2);
      }
    }
    // cue boxes, one lane per speaker
    const boxes = [];
    {
      const lane0 = L.lanes.y, lh = L.lanes.h;
      ctx.fillStyle = '#191b1e';
      for (let l = 0; l < LANES; l++) if (l % 2) ctx.fillRect(0, lane0 + l * lh, W, lh);
      if (sync && sync.original) {  // where each cue was before the sync
        ctx.strokeStyle = 'rgba(230,230,230,0.4)'; ctx.setLineDash([3, 3]);
        for (let i = 0; i < N; i++) {
          const o = sync.original[i];
          if (!o || o[1] < v0 || o[0] > v1 || (o[0] === S[i] && o[1] === E[i])) continue;
          const y = lane0 + laneOf(cues[i]) * lh;
          ctx.strokeRect(X(o[0]) + 0.5, y + 3.5, Math.max(1, (o[1] - o[0]) * k) - 1, lh - 7);
        }
        ctx.setLineDash([]);
      }
      const first = Math.max(0, lastAtOrBefore(S, v0 - maxDur));
      const words = span <= 30000;
      for (let i = first; i < N && S[i] <= v1; i++) {
        if (E[i] < v0) continue;
        const c = cues[i], lane = laneOf(c), y = lane0 + lane * lh + 2, h = lh - 4;
        const x = X(S[i]), w = Math.max(1, (E[i] - S[i]) * k);
        ctx.globalAlpha = i === curCue ? 1 : 0.72;
        ctx.fillStyle = spColor(c.sp); ctx.fillRect(x, y, w, h);
        ctx.globalAlpha = 1;
        if (cueSev[i] && w > 2) { ctx.strokeStyle = SEV[cueSev[i]]; ctx.lineWidth = 2; ctx.strokeRect(x + 1, y + 1, w - 2, h - 2); }
        if (i === curCue) { ctx.strokeStyle = '#fff'; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1); }
        if (words && c.w) {
          ctx.fillStyle = 'rgba(0,0,0,0.45)';
          for (const wd of c.w) ctx.fillRect(X(wd[0]), y + h - 4, 1, 4);
        }
        if (w > 28) {
          const room = Math.floor((Math.min(w, x + w) - 8) / charW);
          const rows = h >= 40 && c.lines.length > 1 ? c.lines.slice(0, 3) : [c.lines.join(' ')];
          const fit = (t) => (t.length > room ? t.slice(0, Math.max(1, room - 1)) + '\u2026' : t);
          ctx.fillStyle = '#0b0c0e';
          const step = Math.min(15, (h - 6) / rows.length);
          rows.forEach((t, j) => ctx.fillText(fit(t), Math.max(x, 0) + 4, y + h / 2 + (j - (rows.length - 1) / 2) * step));
        }
        boxes.push({ i, x, w, lane });
      }
      ctx.fillStyle = 'rgba(20,22,25,0.8)';
      for (let l = 0; l < LANES; l++) {
        const name = l < speakers.length ? speakers[l] : 'no speaker';
        const tw = ctx.measureText(name).width + 10;
        ctx.fillStyle = 'rgba(20,22,25,0.75)'; ctx.fillRect(0, lane0 + l * lh + 2, tw, 14);
        ctx.fillStyle = spColor(l < speakers.length ? l : -1); ctx.fillText(name, 5, lane0 + l * lh + 9);
      }
    }
    // sync segments: where each starts, with its offset
    if (sync && sync.segments.length > 1) {
      ctx.strokeStyle = '#c792ea'; ctx.fillStyle = '#c792ea'; ctx.setLineDash([4, 3]);
      for (const g of sync.segments) {
        const at = sync.unit === 'cue' && cues[g.first - 1] ? cues[g.first - 1].s : g.from_ms + g.offset_ms;
        const x = Math.round(X(at)) + 0.5;
        if (x < 0 || x > W) continue;
        ctx.beginPath(); ctx.moveTo(x, L.findings.y); ctx.lineTo(x, L.height); ctx.stroke();
        ctx.fillText(signed(g.offset_ms), x + 3, L.findings.y + 8);
      }
      ctx.setLineDash([]);
    }
    // findings
    const markers = [];
    {
      const fl = L.findings;
      ctx.fillStyle = '#131517'; ctx.fillRect(0, fl.y, W, fl.h);
      for (const fi of timed) {
        const f = findings[fi];
        if (f.t < v0 - span * 0.01 || f.t > v1) continue;
        const x = X(f.t);
        ctx.fillStyle = SEV[f.sev];
        ctx.beginPath(); ctx.moveTo(x - 5, fl.y + 2); ctx.lineTo(x + 5, fl.y + 2); ctx.lineTo(x, fl.y + fl.h - 2); ctx.fill();
        if (fi === R.selectedFinding) { ctx.fillRect(x - 0.5, fl.y + fl.h, 1, L.height - fl.y - fl.h); }
        markers.push({ f: fi, x });
      }
    }
    // the playhead
    {
      const x = Math.round(X(now));
      if (x >= -1 && x <= W + 1) { ctx.fillStyle = '#ff4d4d'; ctx.fillRect(x - 1, L.ruler.y, 2, L.height - L.ruler.y); }
    }
    R.boxes = boxes; R.markers = markers; R.draws++;
    const dt = performance.now() - t0;
    if (R.renderTimes.length < 5000) R.renderTimes.push(dt);
  }
  function lastAtOrBeforeSpan(t) {
    let lo = 0, hi = speech.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (speech[mid][1] <= t) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // timeline interaction: wheel zooms (shift or a sideways wheel scrolls), drag scrolls, click seeks
  const timeAtX = (x) => view.t0 + (x / W) * view.span;
  cv.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const scale = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? W : 1;
    const dx = ev.deltaX * scale, dy = ev.deltaY * scale;
    if (ev.shiftKey || Math.abs(dx) > Math.abs(dy)) panBy(((ev.shiftKey && !dx ? dy : dx) / W) * view.span);
    else zoomBy(Math.exp(dy * 0.0015), timeAtX(ev.offsetX));
  }, { passive: false });
  let drag = null;
  cv.addEventListener('pointerdown', (ev) => {
    drag = { x: ev.clientX, t0: view.t0, moved: false, id: ev.pointerId };
    cv.setPointerCapture(ev.pointerId);
  });
  cv.addEventListener('pointermove', (ev) => {
    if (drag) {
      const dx = ev.clientX - drag.x;
      if (Math.abs(dx) > 3) drag.moved = true;
      if (drag.moved) { view.t0 = drag.t0 - (dx / W) * view.span; clampView(); dirty = true; }
      tip.hidden = true;
      return;
    }
    hover(ev.offsetX, ev.offsetY);
  });
  cv.addEventListener('pointerleave', () => { tip.hidden = true; });
  cv.addEventListener('pointerup', (ev) => {
    const d = drag;
    drag = null;
    if (!d || d.moved) return;
    const x = ev.offsetX, y = ev.offsetY;
    if (y < L.overview.y + L.overview.h) {
      const t = (x / W) * DUR;
      view.t0 = t - view.span / 2; clampView();
      seek(t);
      return;
    }
    if (y >= L.findings.y && y < L.findings.y + L.findings.h) {
      const m = nearestMarker(x);
      if (m) { selectFinding(m.f); return; }
    }
    const b = boxAt(x, y);
    if (b) { markRow(b.i); markFinding(-1); }
    seek(timeAtX(x));
  });
  function nearestMarker(x) {
    let best = null;
    for (const m of R.markers) if (Math.abs(m.x - x) <= 6 && (!best || Math.abs(m.x - x) < Math.abs(best.x - x))) best = m;
    return best;
  }
  function boxAt(x, y) {
    if (y < L.lanes.y) return null;
    const lane = Math.floor((y - L.lanes.y) / L.lanes.h);
    for (const b of R.boxes) if (b.lane === lane && x >= b.x - 1 && x <= b.x + b.w + 1) return b;
    return null;
  }
  function hover(x, y) {
    let text = null;
    if (y >= L.findings.y && y < L.findings.y + L.findings.h) {
      const m = nearestMarker(x);
      if (m) { const f = findings[m.f]; text = `${f.code} ${f.sev} at ${clock(f.t)}\n${f.msg}`; }
    } else if (L.turns && y >= L.turns.y && y < L.turns.y + L.turns.h) {
      let best = null, bd = 5;
      for (const t of turns) {
        if (t.s === null) continue;
        const d = Math.abs(((t.s - view.t0) / view.span) * W - x);
        if (d < bd) { bd = d; best = t; }
      }
      if (best) {
        text = `${best.sp >= 0 ? speakers[best.sp] : 'turn'} at ${clock(best.s)}` +
          (best.src !== null && best.src !== best.s ? ` (transcript: ${clock(best.src)})` : '') +
          (best.line ? `, line ${best.line}` : '') + `\n${best.text}`;
      }
    } else {
      const b = boxAt(x, y);
      if (b) {
        const c = cues[b.i];
        text = `#${b.i + 1} ${clock(c.s)} \u2192 ${clock(c.e)} (${secs(c.e - c.s)})\n${c.lines.join('\n')}`;
      }
    }
    if (!text) { tip.hidden = true; return; }
    tip.textContent = text;
    tip.hidden = false;
    tip.style.left = Math.min(x + 12, W - 300) + 'px';
    tip.style.top = (y + 14) + 'px';
  }

  // ------------------------------------------------------------------------------------------- the loop
  let lastT = -1;
  function frame() {
    R.frames++;
    const t = player.now();
    if (t !== lastT) {
      lastT = t;
      onTime(t);
      if (player.playing() && $('follow').checked && (t > view.t0 + view.span * 0.95 || t < view.t0)) {
        view.t0 = t - view.span * 0.05; clampView();
      }
      dirty = true;
    }
    if (dirty) { dirty = false; draw(); }
    requestAnimationFrame(frame);
  }
  resize();
  ctx.font = '11px system-ui, sans-serif';
  charW = ctx.measureText('abcdefghijklmnopqrstuvwxyz ABCDEFG').width / 34 || 6.5;
  onTime(player.now());
  draw();
  dirty = false;
  requestAnimationFrame(() => {
    requestAnimationFrame(frame);
    setTimeout(() => {  // after the frame that showed the first draw was painted
      R.firstRenderMs = performance.now();
      R.ready = true;
      document.documentElement.dataset.ready = '1';
    }, 0);
  });
})();
