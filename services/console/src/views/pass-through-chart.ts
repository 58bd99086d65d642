// The money's path of a pass-through alert: what came in and what left, hour by hour on one time
// axis, so "in at noon, out by two" is visible without adding up evidence lines.
import { Chart } from 'chart.js';
import { money, shortHour } from '../format.js';
import type { TimeSpan, WalletTimeline } from './inbound-chart.js';
import { palette } from './palette.js';

/**
 * An hour of the timeline with its outflow. The risk view's timeline carries inbound figures; when it
 * also carries `outSum` (major units), the outflow is drawn hour by hour.
 */
type HourWithOutflow = WalletTimeline['hours'][number] & { outSum?: number };

export function hasHourlyOutflow(timeline: WalletTimeline): boolean {
  return timeline.hours.some((hour) => typeof (hour as HourWithOutflow).outSum === 'number');
}

/** Registers nothing itself: inbound-chart.ts registers the bar and scale parts both charts use. */
export function drawPassThroughChart(
  canvas: HTMLCanvasElement,
  timeline: WalletTimeline,
  currency: string,
  highlight: TimeSpan | null,
): Chart {
  const hours = timeline.hours as HourWithOutflow[];
  const withOutflow = hasHourlyOutflow(timeline);
  const datasets: Chart<'bar'>['data']['datasets'] = [
    { label: `Inflow (${currency})`, data: hours.map((hour) => hour.sum), backgroundColor: palette.inbound },
  ];
  if (withOutflow) {
    datasets.push({
      label: `Outflow (${currency})`,
      // Drawn below the axis, so in and out of the same hour face each other.
      data: hours.map((hour) => -(hour.outSum ?? 0)),
      backgroundColor: palette.outbound,
    });
  }
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: hours.map((hour) => shortHour(Date.parse(hour.start))), datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: {
          stacked: true,
          ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8, color: palette.text },
        },
        y: {
          stacked: true,
          title: { display: true, text: `${currency} per hour (out below the axis)`, color: palette.text },
          ticks: {
            color: palette.text,
            callback: (value) => Math.abs(Number(value)).toLocaleString('en-US'),
          },
          grid: { color: palette.grid },
        },
      },
      plugins: {
        legend: { labels: { color: palette.text } },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label ?? ''}: ${money(Math.abs(Number(item.raw)), '')}`.trim(),
            footer: (items) => {
              const start = Date.parse(hours[items[0]?.dataIndex ?? 0]?.start ?? '');
              return highlight && start + 3_600_000 > highlight.fromMs && start <= highlight.toMs
                ? "in the alert's window"
                : '';
            },
          },
        },
      },
    },
  });
}
