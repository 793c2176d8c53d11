// The agent dashboard's behaviour: follows /api/v1/stream (SSE), draws a scrolling spike raster and the learning curve.
'use strict';

const WINDOW_SECONDS = 2;
const MODULE_COLOURS = { sensory: '#5fb3ff', memory: '#b388ff', executive: '#ff8a65', motor: '#4cc38a' };
const FALLBACK_COLOURS = ['#5fb3ff', '#b388ff', '#ff8a65', '#4cc38a', '#f0b429', '#4dd0e1', '#f06292'];

const state = {
  token: sessionStorage.getItem('hasn-token') || '',
  layout: null, // { dt_ms, neurons, populations: [{id, size, offset, module}], populationOf: population index per neuron }
  // Spikes kept for drawing: parallel growable arrays of (step, neuron), trimmed to the window.
  steps: [],
  neurons: [],
  latestStep: 0,
  received: 0,
  missed: 0,
  source: null,
  // Learning curves by rule index: { summary, points: [{n, sim_time_s, success_rate, decided_rate}] }.
  curves: new Map(),
};

const CURVE_POINTS_KEPT = 2000;

const $ = (id) => document.getElementById(id);

function fmt(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return Number(x).toFixed(digits);
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

function authHeaders(extra = {}) {
  return state.token ? { ...extra, authorization: `Bearer ${state.token}` } : extra;
}

function colourOf(population, index) {
  return MODULE_COLOURS[population.module] || FALLBACK_COLOURS[index % FALLBACK_COLOURS.length];
}

/** Replaces a table body's rows; each row is a list of cells {text, cls}. */
function fillTable(id, rows) {
  const body = $(id).tBodies[0];
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell.meter !== undefined) {
        td.className = 'bar';
        const meter = document.createElement('div');
        meter.className = 'meter';
        const fill = document.createElement('span');
        fill.style.width = `${Math.max(0, Math.min(100, cell.meter * 100))}%`;
        meter.append(fill);
        td.append(meter);
      } else {
        td.textContent = cell.text;
        if (cell.cls) td.className = cell.cls;
      }
      tr.append(td);
    }
    return tr;
  }));
}

// ───────────────────────────── raster ─────────────────────────────

function drawRaster() {
  const canvas = $('raster');
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const layout = state.layout;
  if (!layout) {
    ctx.fillStyle = '#8a97a6';
    ctx.fillText('no brain running', 12, 20);
    requestAnimationFrame(drawRaster);
    return;
  }
  const labelWidth = 110;
  const plotWidth = width - labelWidth - 8;
  const windowSteps = Math.round((WINDOW_SECONDS * 1000) / layout.dt_ms);
  const firstStep = state.latestStep - windowSteps;
  const rowHeight = height / layout.neurons;
  // Population bands, labels and separators.
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  layout.populations.forEach((pop, i) => {
    const top = pop.offset * rowHeight;
    const bandHeight = pop.size * rowHeight;
    ctx.fillStyle = i % 2 === 0 ? 'rgba(255,255,255,0.025)' : 'rgba(255,255,255,0)';
    ctx.fillRect(labelWidth, top, plotWidth, bandHeight);
    ctx.fillStyle = colourOf(pop, i);
    ctx.fillText(pop.id, 6, top + bandHeight / 2);
    ctx.fillStyle = '#2a3340';
    ctx.fillRect(labelWidth, top, plotWidth, 1);
  });
  // Spikes: one small mark each, coloured by population.
  const popOf = layout.populationOf;
  const mark = Math.max(1.5, Math.min(3, rowHeight));
  for (let i = 0; i < state.steps.length; i++) {
    const step = state.steps[i];
    if (step < firstStep) continue;
    const neuron = state.neurons[i];
    const p = popOf[neuron] ?? 0;
    ctx.fillStyle = colourOf(layout.populations[p], p);
    const x = labelWidth + ((step - firstStep) / windowSteps) * plotWidth;
    ctx.fillRect(x, neuron * rowHeight + (rowHeight - mark) / 2, Math.max(1.5, plotWidth / windowSteps), mark);
  }
  requestAnimationFrame(drawRaster);
}

function onSpikes(event) {
  const data = JSON.parse(event.data);
  for (let i = 0; i < data.n.length; i++) {
    state.steps.push(data.from_step + data.t[i]);
    state.neurons.push(data.n[i]);
  }
  state.received += data.n.length;
  state.missed = data.missed;
  state.latestStep = Math.max(state.latestStep, data.to_step);
  if (state.layout) {
    // Keep only what the window shows (plus a little), so memory stays flat however long the page is open.
    const keepFrom = state.latestStep - Math.round((WINDOW_SECONDS * 1000) / state.layout.dt_ms) * 1.2;
    let drop = 0;
    while (drop < state.steps.length && state.steps[drop] < keepFrom) drop++;
    if (drop > 0) {
      state.steps.splice(0, drop);
      state.neurons.splice(0, drop);
    }
  }
  const counter = $('spike-count');
  counter.textContent = String(state.received);
  counter.dataset.spikes = String(state.received);
  $('missed').textContent = state.missed > 0 ? ` · ${state.missed} skipped to keep up` : '';
}

function onHello(event) {
  const data = JSON.parse(event.data);
  $('device').textContent = data.device.name ? `${data.device.id} · ${data.device.name}` : data.device.id;
  document.title = `HASN ${data.device.id}`;
  state.layout = null;
  if (data.brain) {
    const populationOf = new Uint16Array(data.brain.neurons);
    data.brain.populations.forEach((pop, i) => populationOf.fill(i, pop.offset, pop.offset + pop.size));
    state.layout = { dt_ms: data.brain.dt_ms, neurons: data.brain.neurons, populations: data.brain.populations, populationOf };
  }
  state.steps = [];
  state.neurons = [];
  state.latestStep = data.brain ? data.brain.step : 0;
}

function onStatus(event) {
  const s = JSON.parse(event.data);
  const badge = $('state');
  badge.textContent = s.state;
  badge.className = `badge ${s.state}`;
  $('brain').textContent = s.brain ? `${s.brain.name} · step ${s.brain.step}` : 'none';
  $('backend').textContent = `${s.backend.active}${s.backend.engine ? ` (${s.backend.engine})` : ''}${s.backend.fallback_reason ? ` ← ${s.backend.requested}` : ''}`;
  $('sim-time').textContent = s.brain ? `${fmt(s.brain.sim_time_s, 1)} s` : '–';
  $('steps-per-second').textContent = fmt(s.rates.steps_per_second, 0);
  $('realtime-factor').textContent = fmt(s.rates.realtime_factor, 3);
  $('latency').textContent = `${fmt(s.latency_ms.to_spike.p50, 1)} / ${fmt(s.latency_ms.to_spike.p99, 1)} ms`;
  $('latency-step').textContent = `${fmt(s.latency_ms.to_step.p50, 1)} / ${fmt(s.latency_ms.to_step.p99, 1)} ms`;
  $('uptime').textContent = duration(s.uptime_s);
  const maxRate = Math.max(1, ...s.populations.map((p) => p.rate_hz));
  fillTable('populations', s.populations.map((p) => [{ text: p.id }, { meter: p.rate_hz / maxRate }, { text: fmt(p.rate_hz, 1), cls: 'num' }]));
  fillTable('sensors', s.sensors.map((x) => [
    { text: x.id, cls: x.state === 'failed' ? 'failed' : '' },
    { meter: x.value === null ? 0 : x.value },
    { text: fmt(x.value, 2), cls: 'num' },
    { text: `${x.samples} samples${x.errors ? ` · ${x.errors} errors` : ''}`, cls: 'muted' },
  ]));
  fillTable('outputs', s.outputs.map((o) => [{ text: o.id }, { text: `→ ${o.sink}`, cls: 'muted' }, { text: o.value === null ? 'undecided' : fmt(o.value, 2), cls: 'num' }]));
  fillTable('actuators', s.actuators.map((a) => [{ text: a.id }, { text: a.value === 1 ? 'ON' : a.value === 0 ? 'off' : fmt(a.value, 2), cls: a.value === 1 ? 'on' : 'off' }, { text: a.state, cls: a.state === 'failed' ? 'failed' : 'muted' }]));
  fillTable('reward', Object.entries(s.brain ? s.brain.reward : {}).map(([projection, level]) => [{ text: projection }, { text: `reward level ${fmt(level, 3)}`, cls: 'num' }]));
  $('reasons').replaceChildren(...s.reasons.map((r) => Object.assign(document.createElement('li'), { textContent: r })));
  fillTable('health', [
    [{ text: 'snapshots stored' }, { text: String(s.snapshots.count), cls: 'num' }],
    [{ text: 'last snapshot' }, { text: s.snapshots.last_age_s === null ? 'none yet' : `${duration(s.snapshots.last_age_s)} ago`, cls: 'num' }],
    [{ text: 'engine load' }, { text: `${fmt(s.rates.engine_load * 100, 1)} %`, cls: 'num' }],
  ]);
}

// ───────────────────────────── learning curve ─────────────────────────────

function drawLearningCurve() {
  const canvas = $('learning-curve');
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const left = 34;
  const right = 8;
  const top = 8;
  const bottom = 20;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const y = (rate) => top + (1 - rate) * plotHeight;
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#8a97a6';
  ctx.textBaseline = 'middle';
  for (const rate of [0, 0.5, 1]) {
    ctx.fillText(rate.toFixed(1), 4, y(rate));
    ctx.fillStyle = '#2a3340';
    ctx.fillRect(left, y(rate), plotWidth, 1);
    ctx.fillStyle = '#8a97a6';
  }
  const all = [...state.curves.values()];
  const points = all.flatMap((c) => c.points);
  if (points.length === 0) {
    ctx.fillText(all.length === 0 ? 'no reward rule: nothing judges the decisions' : 'waiting for the first window of decisions', left + 8, top + plotHeight / 2);
    return;
  }
  const t0 = Math.min(...points.map((p) => p.sim_time_s));
  const t1 = Math.max(t0 + 1, ...points.map((p) => p.sim_time_s));
  const x = (t) => left + ((t - t0) / (t1 - t0)) * plotWidth;
  ctx.fillText(`${fmt(t0, 0)} s`, left, height - 8);
  ctx.textAlign = 'right';
  ctx.fillText(`${fmt(t1, 0)} s sim time`, width - right, height - 8);
  ctx.textAlign = 'left';
  all.forEach((curve, i) => {
    // Chance for a rule over k sensors is 1/k of the decided evaluations.
    const chance = 1 / curve.summary.sensors.length;
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = '#8a97a6';
    ctx.beginPath();
    ctx.moveTo(left, y(chance));
    ctx.lineTo(left + plotWidth, y(chance));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.strokeStyle = FALLBACK_COLOURS[(i + 3) % FALLBACK_COLOURS.length];
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    curve.points.forEach((p, k) => (k === 0 ? ctx.moveTo(x(p.sim_time_s), y(p.success_rate)) : ctx.lineTo(x(p.sim_time_s), y(p.success_rate))));
    ctx.stroke();
    ctx.lineWidth = 1;
  });
}

function onLearning(event) {
  const data = JSON.parse(event.data);
  if (data.reset) state.curves = new Map();
  for (const rule of data.rules) {
    const curve = state.curves.get(rule.rule) || { summary: rule, points: [] };
    curve.summary = rule;
    const lastN = curve.points.length > 0 ? curve.points[curve.points.length - 1].n : -1;
    for (const point of rule.points) if (point.n > lastN) curve.points.push(point);
    if (curve.points.length > CURVE_POINTS_KEPT) curve.points.splice(0, curve.points.length - CURVE_POINTS_KEPT);
    state.curves.set(rule.rule, curve);
  }
  const rules = [...state.curves.values()].map((c) => c.summary);
  $('curve-window').textContent = rules.length > 0 ? String(rules[0].window) : '–';
  const success = $('learning');
  success.dataset.success = rules.length > 0 && rules[0].recent.success_rate !== null ? String(rules[0].recent.success_rate) : '';
  success.dataset.points = String([...state.curves.values()].reduce((sum, c) => sum + c.points.length, 0));
  fillTable('learning', [
    ...rules.map((r) => [
      { text: `${r.output} ← argmax(${r.sensors.join(', ')})` },
      { text: `success ${r.recent.success_rate === null ? '–' : `${fmt(r.recent.success_rate * 100, 0)} %`}`, cls: 'num' },
      { text: `decided ${r.recent.decided_rate === null ? '–' : `${fmt(r.recent.decided_rate * 100, 0)} %`} · ${r.totals.evaluations} decisions`, cls: 'muted' },
    ]),
    [{ text: 'reward received' }, { text: ['rule', 'api', 'fleet'].map((via) => `${via} ${data.rewards[via].events}`).join(' · '), cls: 'num' }, { text: 'events by origin', cls: 'muted' }],
    ...data.projections.map((p) => [
      { text: p.id },
      { text: p.by_target ? p.by_target.map((t) => fmt(t.mean, 3)).join(' / ') : `mean ${fmt(p.weight.mean, 3)}`, cls: 'num' },
      { text: p.by_target ? 'mean weight into each target neuron' : `sd ${fmt(p.weight.sd, 3)}`, cls: 'muted' },
    ]),
  ]);
  drawLearningCurve();
}

// ───────────────────────────── connection and actions ─────────────────────────────

function connect() {
  if (state.source) state.source.close();
  const url = state.token ? `/api/v1/stream?access_token=${encodeURIComponent(state.token)}` : '/api/v1/stream';
  const source = new EventSource(url);
  state.source = source;
  source.addEventListener('hello', onHello);
  source.addEventListener('status', onStatus);
  source.addEventListener('spikes', onSpikes);
  source.addEventListener('learning', onLearning);
  source.addEventListener('error', async () => {
    const badge = $('state');
    badge.textContent = 'disconnected';
    badge.className = 'badge disconnected';
    // EventSource hides the HTTP status: ask the API whether a token is what is missing.
    const probe = await fetch('/api/v1/status', { headers: authHeaders() }).catch(() => null);
    if (probe && (probe.status === 401 || probe.status === 403)) {
      source.close();
      $('token-form').hidden = false;
    }
  });
}

async function act(path, body, label) {
  const response = await fetch(path, { method: 'POST', headers: authHeaders({ 'content-type': 'application/json' }), body: JSON.stringify(body) }).catch((err) => ({ ok: false, statusText: String(err) }));
  let text = `${label}: `;
  if (response.ok) text += 'done';
  else {
    const detail = response.json ? await response.json().catch(() => null) : null;
    text += detail && detail.error ? `${detail.error.code} – ${detail.error.message}` : response.statusText;
  }
  $('action-result').textContent = text;
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.token = $('token-input').value.trim();
  sessionStorage.setItem('hasn-token', state.token);
  $('token-form').hidden = true;
  connect();
});
$('reward-plus').addEventListener('click', () => act('/api/v1/reward', { amount: 1 }, 'reward +1'));
$('reward-minus').addEventListener('click', () => act('/api/v1/reward', { amount: -1 }, 'punish −1'));
$('snapshot').addEventListener('click', () => act('/api/v1/snapshots', {}, 'snapshot'));
$('window-seconds').textContent = String(WINDOW_SECONDS);
window.addEventListener('resize', drawLearningCurve);

connect();
requestAnimationFrame(drawRaster);
