// The wallet's inbound payments per hour over the last days, against its own baseline band (median ±
// spread of its usual hours), with the alert's window in another colour: a burst reads at a glance.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { z } from 'zod';
import type { WalletTimelineSchema } from '../../../../schemas/wallet-risk.js';
import { number, shortHour } from '../format.js';
import { palette } from './palette.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Filler,
  Legend,
  Tooltip,
);

export type WalletTimeline = z.infer<typeof WalletTimelineSchema>;

export interface TimeSpan {
  fromMs: number;
  toMs: number;
}

/** Draws the chart into `canvas` and returns it (destroy it when the view goes). */
export function drawInboundChart(
  canvas: HTMLCanvasElement,
  timeline: WalletTimeline,
  highlight: TimeSpan | null,
): Chart {
  const hours = timeline.hours;
  const starts = hours.map((hour) => Date.parse(hour.start));
  const inWindow = starts.map((start) => highlight !== null && overlaps(start, highlight));
  const baseline = timeline.baseline;
  const datasets: Chart<'bar' | 'line'>['data']['datasets'] = [
    {
      type: 'bar',
      label: 'Inbound payments per hour',
      data: hours.map((hour) => hour.inbound),
      backgroundColor: inWindow.map((inside) => (inside ? palette.inboundInWindow : palette.inbound)),
      order: 2,
    },
  ];
  if (baseline) {
    datasets.push(
      {
        type: 'line',
        label: 'Baseline band (low)',
        data: hours.map(() => baseline.bandLow),
        borderColor: palette.bandEdge,
        borderWidth: 1,
        borderDash: [4, 4],
        pointRadius: 0,
        fill: false,
        order: 1,
      },
      {
        type: 'line',
        label: 'Baseline band',
        data: hours.map(() => baseline.bandHigh),
        borderColor: palette.bandEdge,
        borderWidth: 1,
        borderDash: [4, 4],
        backgroundColor: palette.band,
        pointRadius: 0,
        // Shades between this line and the one before it: the band itself.
        fill: '-1',
        order: 1,
      },
      {
        type: 'line',
        label: 'Its usual hour (median)',
        data: hours.map(() => baseline.medianPerHour),
        borderColor: palette.median,
        borderWidth: 2,
        pointRadius: 0,
        fill: false,
        order: 0,
      },
    );
  }
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: starts.map(shortHour), datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: {
          ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8, color: palette.text },
          grid: { display: false },
        },
        y: {
          beginAtZero: true,
          title: { display: true, text: 'payments per hour', color: palette.text },
          ticks: { precision: 0, color: palette.text },
          grid: { color: palette.grid },
        },
      },
      plugins: {
        legend: {
          labels: {
            color: palette.text,
            // The band's lower edge is drawn, but one legend entry for the band is enough.
            filter: (item) => item.text !== 'Baseline band (low)',
          },
        },
        tooltip: {
          callbacks: {
            afterBody: (items) => {
              const index = items[0]?.dataIndex;
              const hour = index === undefined ? undefined : hours[index];
              return hour
                ? [`donations ${hour.donations}, purchases ${hour.purchases}`, `sum ${number(hour.sum)}`]
                : [];
            },
          },
        },
      },
    },
  });
}

/** The sentence a screen reader gets for the chart (and the one a test can read). */
export function describeInboundChart(timeline: WalletTimeline, highlight: TimeSpan | null): string {
  const hours = timeline.hours;
  if (hours.length === 0) return 'No inbound payments on record.';
  const peak = hours.reduce((best, hour) => (hour.inbound > best.inbound ? hour : best), hours[0]!);
  const days = Math.max(1, Math.round(hours.length / 24));
  const total = hours.reduce((sum, hour) => sum + hour.inbound, 0);
  const baseline = timeline.baseline
    ? `Its baseline band is ${number(timeline.baseline.bandLow)} to ${number(timeline.baseline.bandHigh)} per hour (median ${number(timeline.baseline.medianPerHour)}).`
    : 'Too little history for a baseline yet.';
  const inWindow = highlight
    ? hours
        .filter((hour) => overlaps(Date.parse(hour.start), highlight))
        .reduce((sum, h) => sum + h.inbound, 0)
    : null;
  const windowText = inWindow === null ? '' : ` ${inWindow} of them in the alert's window.`;
  return `Inbound payments per hour over the last ${days} day${days === 1 ? '' : 's'}: ${total} in all, peak ${peak.inbound} in the hour from ${shortHour(Date.parse(peak.start))}.${windowText} ${baseline}`;
}

const HOUR_MS = 3_600_000;

function overlaps(hourStartMs: number, span: TimeSpan): boolean {
  return hourStartMs + HOUR_MS > span.fromMs && hourStartMs <= span.toMs;
}
