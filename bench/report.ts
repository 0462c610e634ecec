// Turns bench results into the committed Markdown tables and an SVG chart (no plotting dependency needed
// for horizontal bars).

export interface Row {
  contender: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  ratio: number;
  requests: number;
  rateLimited: number;
  complete: boolean;
}

export interface Scenario {
  name: string;
  /** The reference the ratio is taken against (ms, or the unit's reference). */
  limitMs: number;
  unit?: 'ms' | 'req/s' | 'MB';
  rows: Row[];
  /** A table of its own, for a scenario whose figures are not times (P8: outages); it has no chart panel. */
  table?: { header: string[]; rows: string[][] };
}

const fmt = (n: number, unit = 'ms') => (unit === 'MB' ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));

export function writeTables(meta: Record<string, unknown>, scenarios: Scenario[]): string {
  const out = [
    '# Benchmark results',
    '',
    `Produced by \`npm run bench\` on ${meta.date} (${meta.platform}, ${meta.cpus} cores, Node ${meta.node}); median of ${meta.runs} runs (P1 and P7: one run of paired rounds, see their titles).`,
    'Every ratio is measured within the same run. Machines here are noisy: compare ratios, not absolute times.',
    'See [chart.svg](chart.svg) for the same numbers as bars, and `bench/README.md` for what each scenario does.',
    '',
  ];
  for (const s of scenarios) {
    if (s.table) {
      out.push(`## ${s.name}`, '', `| ${s.table.header.join(' | ')} |`, `|${s.table.header.map(() => '---').join('|')}|`);
      for (const r of s.table.rows) out.push(`| ${r.join(' | ')} |`);
      out.push('');
      continue;
    }
    const unit = s.unit ?? 'ms';
    out.push(
      `## ${s.name}`,
      '',
      `| contender | median (${unit}) | min–max | ratio | requests | 429s | complete |`,
      '|---|---:|---:|---:|---:|---:|:-:|',
    );
    for (const r of s.rows) {
      const share = r.requests ? ` (${((r.rateLimited / r.requests) * 100).toFixed(1)}%)` : '';
      out.push(
        `| ${r.contender} | ${fmt(r.medianMs, unit)} | ${fmt(r.minMs, unit)}–${fmt(r.maxMs, unit)} | ${r.ratio.toFixed(3)}× | ${r.requests} | ${r.rateLimited}${share} | ${r.complete ? 'yes' : '**no**'} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One panel per scenario: a bar per contender at its ratio, and a line at 1× (the limit or the reference). */
export function writeChart(scenarios: Scenario[]): string {
  const width = 900;
  const label = 350;
  const bar = 18;
  let y = 30;
  const parts: string[] = [];
  for (const s of scenarios) {
    if (s.rows.length === 0) continue;
    const max = Math.max(1.2, ...s.rows.map((r) => r.ratio)) * 1.05;
    const scale = (width - label - 80) / max;
    parts.push(
      `<text x="10" y="${y}" font-weight="bold" font-size="13">${esc(s.name.length > 115 ? `${s.name.slice(0, 112)}…` : s.name)}</text>`,
    );
    y += 10;
    const top = y;
    for (const r of s.rows) {
      const w = Math.max(1, r.ratio * scale);
      const color = !r.complete
        ? '#c0392b'
        : r.contender === 'axios-steady' || r.contender.startsWith('attach') || r.contender === 'paginate()'
          ? '#2e86de'
          : '#95a5a6';
      parts.push(`<text x="${label - 6}" y="${y + 13}" text-anchor="end" font-size="12">${esc(r.contender)}</text>`);
      parts.push(`<rect x="${label}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${color}"/>`);
      parts.push(`<text x="${label + w + 4}" y="${y + 13}" font-size="12">${r.ratio.toFixed(2)}×${r.complete ? '' : ' incomplete'}</text>`);
      y += bar + 4;
    }
    const one = label + scale;
    parts.push(`<line x1="${one}" y1="${top - 4}" x2="${one}" y2="${y}" stroke="#222" stroke-dasharray="4 3"/>`);
    y += 30;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    `<text x="10" y="${y - 8}" font-size="11" fill="#555">Dashed line: 1× (the physical limit, bare axios, or the goal). Blue: axios-steady. Red: incomplete collection.</text>`,
    '</svg>',
    '',
  ].join('\n');
}
