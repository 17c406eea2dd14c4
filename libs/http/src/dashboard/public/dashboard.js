// Fleet live view: polls the REST API (vehicles, last 5 minutes of telemetry at 1 s buckets).
'use strict';
const WINDOW_MS = 5 * 60_000;
let selected = null;
let modelLoaded = false;
const lastSeen = new Map();

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

function ago(ts) {
  const s = Math.max(0, Math.round((Date.now() - ts) / 1000));
  return s < 120 ? `${s}s ago` : new Date(ts).toISOString().slice(11, 19);
}

async function refreshStatus() {
  try {
    const h = await getJson('/health');
    const parts = [
      `status ${h.status}`,
      `store ${h.adapters.store ?? h.store.kind}`,
      `stream ${h.adapters.stream ?? '-'}`,
    ];
    for (const [name, c] of Object.entries(h.components)) {
      if (name === 'ingest' && c.samplesWritten !== undefined)
        parts.push(`ingested ${c.samplesWritten.toLocaleString()} samples, lag ${c.lag}`);
      if (name === 'model') {
        modelLoaded = c.loaded === true;
        parts.push(modelLoaded ? `model on ${c.backend}` : 'no model');
      }
    }
    document.getElementById('status').textContent = parts.join(' · ');
  } catch (err) {
    document.getElementById('status').textContent = `API unreachable: ${err.message}`;
  }
}

async function refreshVehicles() {
  const { vehicles } = await getJson('/v1/vehicles');
  const rows = await Promise.all(
    vehicles.map(async (v) => {
      const t = await getJson(
        `/v1/vehicles/${encodeURIComponent(v.vehicleId)}/telemetry?signals=speed_mps,soc_pct&from=${v.lastTs}&to=${v.lastTs + 1}`,
      );
      return { ...v, speed: t.values.speed_mps[0], soc: t.values.soc_pct[0] };
    }),
  );
  const body = document.getElementById('vehicles');
  body.innerHTML = '';
  for (const r of rows) lastSeen.set(r.vehicleId, r.lastTs);
  if (!selected && rows.length > 0) selected = rows[0].vehicleId;
  for (const r of rows) {
    const tr = document.createElement('tr');
    tr.className = `vehicle${r.vehicleId === selected ? ' selected' : ''}`;
    tr.dataset.vehicleId = r.vehicleId;
    const cells = [
      r.vehicleId,
      r.speed == null ? '–' : (r.speed * 3.6).toFixed(1),
      r.soc == null ? '–' : r.soc.toFixed(1),
      ago(r.lastTs),
    ];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.appendChild(td);
    }
    tr.onclick = () => {
      selected = r.vehicleId;
      refreshVehicles();
      refreshChart();
    };
    body.appendChild(tr);
  }
}

async function refreshChart() {
  if (!selected) return;
  const signals = 'speed_mps,accel_mps2,battery_current_a,soc_pct';
  const last = lastSeen.get(selected);
  if (last === undefined) return;
  const t = await getJson(
    `/v1/vehicles/${encodeURIComponent(selected)}/telemetry?signals=${signals}&every=1s&from=${last + 1 - WINDOW_MS}&to=${last + 1}`,
  );
  const x = t.ts.map((ms) => new Date(ms));
  const kmh = t.values.speed_mps.mean.map((v) => (v == null ? null : v * 3.6));
  const traces = [
    { x, y: kmh, name: 'speed km/h', yaxis: 'y' },
    { x, y: t.values.accel_mps2.mean, name: 'accel m/s²', yaxis: 'y2' },
    { x, y: t.values.battery_current_a.mean, name: 'battery A', yaxis: 'y3' },
    { x, y: t.values.soc_pct.mean, name: 'SOC %', yaxis: 'y4' },
  ];
  const layout = {
    margin: { t: 10, r: 10, l: 60, b: 30 },
    grid: { rows: 4, columns: 1, pattern: 'independent', roworder: 'top to bottom' },
    xaxis: { type: 'date' },
    xaxis2: { type: 'date', matches: 'x' },
    xaxis3: { type: 'date', matches: 'x' },
    xaxis4: { type: 'date', matches: 'x' },
    yaxis: { title: { text: 'km/h' } },
    yaxis2: { title: { text: 'm/s²' } },
    yaxis3: { title: { text: 'A' } },
    yaxis4: { title: { text: '%' } },
    showlegend: false,
  };
  traces.forEach((tr, i) => {
    tr.xaxis = i === 0 ? 'x' : `x${i + 1}`;
    tr.yaxis = i === 0 ? 'y' : `y${i + 1}`;
  });
  if (modelLoaded) traces.push(...(await speedForecastTraces(selected)));
  document.getElementById('title').textContent =
    `${selected} — last ${WINDOW_MS / 60_000} minutes of data, 1 s buckets (mean)${modelLoaded ? ', speed forecast 64 s ahead (10–90 % band)' : ''}`;
  Plotly.react('chart', traces, layout, { responsive: true, displaylogo: false });
}

/** The model's 64 s speed forecast as a 10–90 % band and a median line on the speed plot. */
async function speedForecastTraces(vehicleId) {
  try {
    const f = await getJson(
      `/v1/vehicles/${encodeURIComponent(vehicleId)}/forecast?signal=speed_mps&every=1s&horizon=64`,
    );
    const x = f.forecast.ts.map((ms) => new Date(ms));
    const kmh = (values) => values.map((v) => v * 3.6);
    const levels = Object.keys(f.forecast.quantiles)
      .map(Number)
      .sort((a, b) => a - b);
    const lo = f.forecast.quantiles[String(levels[0])];
    const hi = f.forecast.quantiles[String(levels[levels.length - 1])];
    const band = { x, xaxis: 'x', yaxis: 'y', hoverinfo: 'skip', line: { width: 0 } };
    return [
      { ...band, y: kmh(lo), name: `forecast q${levels[0]}` },
      {
        ...band,
        y: kmh(hi),
        name: `forecast q${levels[levels.length - 1]}`,
        fill: 'tonexty',
        fillcolor: 'rgba(31,119,180,0.2)',
      },
      {
        x,
        y: kmh(f.forecast.quantiles['0.5'] ?? f.forecast.mean),
        xaxis: 'x',
        yaxis: 'y',
        name: 'forecast median',
        line: { dash: 'dot', color: '#1f77b4' },
      },
    ];
  } catch {
    return [];
  }
}

async function tick() {
  await Promise.allSettled([refreshStatus(), refreshVehicles().then(refreshChart)]);
}
tick();
setInterval(tick, 2000);
