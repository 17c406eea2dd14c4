import { LEVEL_BLEND_FILE } from '@fleetfm/model';
import type { EvalReport, ZeroShotReport } from './eval.service';
import type { AutoMethodScores } from './tasks/auto-method.task';

const fmt = (v: number | undefined, digits = 3): string =>
  v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);

/**
 * The report as a plain-text table: metric, FleetFM, auto* (when scored; not judged), baseline
 * or chance, target, met.
 */
export function formatEvalTable(r: EvalReport): string {
  const f = r.forecasting;
  const b = f.baseline;
  const t = r.targets;
  const a = r.auto?.forecasting;
  const autoCell = (v: number | undefined): string[] => (r.auto ? [fmt(v)] : []);
  const blank = autoCell(undefined).map(() => '');
  const rows: string[][] = [
    [
      'metric',
      'FleetFM',
      ...(r.auto ? ['auto*'] : []),
      b ? 'AutoETS' : 'baseline',
      'target',
      'met',
    ],
    [
      `relative MASE (vs seasonal naive, season ${f.season})`,
      fmt(f.fleetfm.relativeMase),
      ...autoCell(a?.relativeMase),
      fmt(b?.relativeMase),
      `≤ ${t.relativeMase} and < AutoETS`,
      met(
        f.fleetfm.relativeMase <= t.relativeMase && (!b || f.fleetfm.relativeMase < b.relativeMase),
      ),
    ],
    [
      'relative WQL (9 levels)',
      fmt(f.fleetfm.relativeWql),
      ...autoCell(a?.relativeWql),
      fmt(b?.relativeWql),
      `≤ ${t.relativeWql} and < AutoETS`,
      met(f.fleetfm.relativeWql <= t.relativeWql && (!b || f.fleetfm.relativeWql < b.relativeWql)),
    ],
    [
      'anomaly AUC-PR',
      fmt(r.anomaly.aucPr),
      ...blank,
      `chance ${fmt(r.anomaly.chanceAucPr)}`,
      `≥ ${t.anomalyAucPr}`,
      met(r.anomaly.aucPr >= t.anomalyAucPr),
    ],
    ['anomaly best F1', fmt(r.anomaly.bestF1.f1), ...blank, '', '', ''],
    [
      `driver top-1 (${r.embeddings.drivers} drivers)`,
      fmt(r.embeddings.driverTop1),
      ...blank,
      `chance ${fmt(r.embeddings.driverChance)}`,
      `≥ ${t.driverTop1}`,
      met(r.embeddings.driverTop1 >= t.driverTop1),
    ],
    [
      'scenario precision@10',
      fmt(r.embeddings.scenarioPrecisionAt10),
      ...blank,
      `chance ${fmt(r.embeddings.scenarioChance)}`,
      '',
      '',
    ],
  ];
  const widths = rows[0].map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  const line = (row: string[]): string => row.map((cell, j) => cell.padEnd(widths[j])).join('  ');
  const lines = [
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ];
  lines.push(
    '',
    `forecasting: ${f.windows} windows of ${f.series} held-out series (context ${f.context}, horizon ${f.horizon}); ${f.skippedWindows} left out where seasonal naive was exact`,
    `  by channel (relative MASE / WQL, FleetFM vs ${b?.name ?? 'baseline'}): ${Object.entries(
      f.byChannel,
    )
      .map(
        ([ch, c]) =>
          `${ch} ${fmt(c.relativeMase)}/${fmt(c.relativeWql)} vs ${fmt(c.baselineRelativeMase)}/${fmt(c.baselineRelativeWql)} (${c.windows})`,
      )
      .join('; ')}`,
    ...(f.byRoute
      ? [
          `  by route (relative MASE / WQL, windows): ${Object.entries(f.byRoute)
            .map(
              ([route, c]) =>
                `${route} ${fmt(c.relativeMase)}/${fmt(c.relativeWql)} (${c.windows})`,
            )
            .join('; ')}`,
        ]
      : []),
    `  by origin (relative MASE / WQL, windows; start: the context is the series' beginning, end: the horizon is its end, a trip's arrival): ${(
      ['start', 'inside', 'end'] as const
    )
      .flatMap((p) => {
        const c = f.byOrigin[p];
        return c ? [`${p} ${fmt(c.relativeMase)}/${fmt(c.relativeWql)} (${c.windows})`] : [];
      })
      .join('; ')}`,
    ...networkLines(r),
    ...routeLines(r),
    `anomalies: ${r.anomaly.rows} scored rows, ${r.anomaly.positives} anomalous; calibration from the ${r.anomaly.calibration}`,
    `embeddings: ${r.embeddings.probeSegments} probe / ${r.embeddings.gallerySegments} gallery segments`,
  );
  if (r.auto) {
    lines.push(
      `* auto, NOT judged by the targets (they use the FleetFM forecaster alone): where the series has a season, per window the model or ${r.auto.statistical}, whichever forecast the window's own last min(horizon, context/4) history values better (the model where it has none); ${choicesNote(r.auto.forecasting)}; ${r.auto.elapsedS.toFixed(0)} s for driving and guard`,
      `  auto by channel (relative MASE / WQL): ${groupsNote(r.auto.forecasting)}`,
    );
  }
  if (r.baselineError) lines.push(r.baselineError);
  if (r.zeroShot) lines.push('', ...zeroShotLines(r.zeroShot, r.auto?.zeroShot));
  return lines.join('\n');
}

/** The network without the checkpoint's level blend, when it has one. */
function networkLines(r: EvalReport): string[] {
  const n = r.forecastingNetwork;
  if (!n) return [];
  return [
    `  network alone (without the checkpoint's level blend, ${LEVEL_BLEND_FILE}): relative MASE / WQL ${fmt(n.relativeMase)}/${fmt(n.relativeWql)}; by channel ${Object.entries(
      n.byChannel,
    )
      .map(([ch, c]) => `${ch} ${fmt(c.relativeMase)}/${fmt(c.relativeWql)}`)
      .join('; ')}`,
  ];
}

/** Held-out routes behind the targets, and the trained-on cycles' scores (not the target). */
function routeLines(r: EvalReport): string[] {
  const lines = r.heldOut.routes ? [`  routes: ${r.heldOut.routes}`] : [];
  const s = r.forecastingSeenCycles;
  if (!s) return lines;
  return [
    ...lines,
    `  standard cycles the model trained on (same held-out drivers and vehicles; NOT the target): relative MASE / WQL ${fmt(s.fleetfm.relativeMase)}/${fmt(s.fleetfm.relativeWql)} vs ${s.baseline?.name ?? 'baseline'} ${fmt(s.baseline?.relativeMase)}/${fmt(s.baseline?.relativeWql)} over ${s.windows} windows; by channel ${Object.entries(
      s.byChannel,
    )
      .map(([ch, c]) => `${ch} ${fmt(c.relativeMase)}/${fmt(c.relativeWql)}`)
      .join('; ')}`,
  ];
}

/** The zero-shot guard as its own small table, by family; no target, no "met". */
function zeroShotLines(z: ZeroShotReport, auto?: AutoMethodScores): string[] {
  const b = z.baseline;
  const autoCells = (g: { relativeMase: number; relativeWql: number } | undefined): string[] =>
    auto ? [fmt(g?.relativeMase), fmt(g?.relativeWql)] : [];
  const rows: string[][] = [
    [
      '  family',
      'season',
      'windows',
      'FleetFM MASE',
      'WQL',
      ...(auto ? ['auto* MASE', 'WQL'] : []),
      'baseline MASE',
      'WQL',
    ],
    [
      '  all',
      'own',
      String(z.windows),
      fmt(z.fleetfm.relativeMase),
      fmt(z.fleetfm.relativeWql),
      ...autoCells(auto),
      fmt(b?.relativeMase),
      fmt(b?.relativeWql),
    ],
    ...Object.entries(z.byGroup).map(([family, g]) => [
      `  ${family}`,
      String(g.season),
      String(g.windows),
      fmt(g.relativeMase),
      fmt(g.relativeWql),
      ...autoCells(auto?.byGroup[family]),
      fmt(g.baselineRelativeMase),
      fmt(g.baselineRelativeWql),
    ]),
  ];
  const widths = rows[0].map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  const contexts = Object.entries(z.byContext)
    .map(([c, g]) => `${c} ${fmt(g.relativeMase)}/${fmt(g.relativeWql)} (${g.windows})`)
    .join('; ');
  return [
    `zero-shot guard (NOT an issue target): ${z.series} synthetic benchmark-like series (seed ${z.seed}), relative MASE / WQL vs seasonal naive with each series' own season; ${z.skippedWindows} windows left out where seasonal naive was exact`,
    `  baseline: ${b ? `${b.name}${fitsNote(z)}` : 'none'}`,
    ...rows.map((row) => row.map((cell, j) => cell.padEnd(widths[j])).join('  ')),
    `  by context length (FleetFM relative MASE / WQL, windows): ${contexts}`,
    ...(auto ? [`  * auto (not judged): ${choicesNote(auto)}`] : []),
  ];
}

/** `model on 300 windows, MSTL on 12, AutoETS on 168`. */
function choicesNote(s: AutoMethodScores): string {
  const c = s.choices;
  return `model on ${c.model} windows, MSTL on ${c.mstl}, AutoETS on ${c.ets}`;
}

function groupsNote(s: AutoMethodScores): string {
  return Object.entries(s.byGroup)
    .map(([g, c]) => `${g} ${fmt(c.relativeMase)}/${fmt(c.relativeWql)} (${c.windows})`)
    .join('; ');
}

/** ` (MSTL on 200 windows, AutoETS on 120)` when the seasonal baseline ran. */
function fitsNote(z: ZeroShotReport): string {
  const f = z.baselineFits;
  if (!f) return '';
  const failed = f.mstlFailed > 0 ? `, of which ${f.mstlFailed} after MSTL failed` : '';
  return ` (MSTL on ${f.mstl} windows, AutoETS on ${f.ets}${failed})`;
}

function met(ok: boolean): string {
  return ok ? 'yes' : 'no';
}
