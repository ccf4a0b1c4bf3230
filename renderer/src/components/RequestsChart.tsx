/**
 * Requests done and failed over time (uPlot: small, fast, canvas). The canvas is
 * decoration for sighted users; the same facts are written out beside it.
 */
import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

interface ChartSeries {
  label: string;
  /** A design token (CSS variable) naming the colour, resolved at draw time so dark mode works. */
  colorToken: string;
  values: number[];
}

const useStyles = makeStyles({
  chart: { width: '100%', minHeight: '200px' },
  legend: { display: 'flex', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  swatch: { display: 'inline-block', width: '12px', height: '12px', borderRadius: tokens.borderRadiusSmall, marginRight: tokens.spacingHorizontalXS },
});

/** The CSS variable behind a Fluent token (`var(--colorX)`), read where the chart is drawn. */
const resolve = (el: Element, token: string) => getComputedStyle(el).getPropertyValue(token.replace(/^var\((--[^)]+)\)$/, '$1')).trim() || '#888';

export function RequestsChart({ times, series, summary }: { times: number[]; series: ChartSeries[]; summary: string }) {
  const styles = useStyles();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axisColor = resolve(el, tokens.colorNeutralForeground3);
    const gridColor = resolve(el, tokens.colorNeutralStroke2);
    const step = times.length > 1 ? (times[1] as number) - (times[0] as number) : 3600;
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 } };
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 200,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // Half a bucket of room at both ends, so the first and last bars are whole.
          x: { range: (_u, min, max) => [min - step / 2, max + step / 2] },
          y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
        },
        axes: [axis, { ...axis, size: 40 }],
        series: [
          {},
          // Counts per hour (or day) as bars, side by side: done on the left, failed on the right.
          ...series.map((s, index) => {
            const color = resolve(el, s.colorToken);
            const bars = uPlot.paths.bars?.({ size: [0.4, 24], align: index === 0 ? -1 : 1 });
            return { label: s.label, stroke: color, width: 0, fill: color, points: { show: false }, ...(bars && { paths: bars }) };
          }),
        ],
      },
      [times, ...series.map((s) => s.values)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 200 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series]);

  return (
    <figure style={{ margin: 0 }}>
      <div ref={box} className={styles.chart} role="img" aria-label={summary} />
      <figcaption className={styles.legend}>
        {series.map((s) => (
          <Text key={s.label}>
            <span className={styles.swatch} style={{ backgroundColor: s.colorToken }} aria-hidden />
            {s.label}
          </Text>
        ))}
        <Text>{summary}</Text>
      </figcaption>
    </figure>
  );
}
