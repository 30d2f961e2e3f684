// Usage: actions per hour over the last day and cost per task (usage.summary, then live
// task.ended costs), drawn as plain inline SVG: no chart library.
import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../src-preload/contract';
import { useBridge } from '../bridge';
import { errorText } from './errorText';
import './views.css';

const HOURS = 24;

type Summary = ResponseOf<'usage.summary'>;
export type HourBucket = Summary['actionsPerHour'][number];
export type TaskCost = Summary['costPerTask'][number];

/** The summary's costs with live task.ended totals over them, most expensive first. */
export function mergeCosts(summary: readonly TaskCost[], ended: readonly TaskCost[]): TaskCost[] {
  const byTask = new Map(summary.map((cost) => [cost.taskId, cost]));
  for (const cost of ended) byTask.set(cost.taskId, cost);
  return [...byTask.values()].sort((left, right) => right.costUsd - left.costUsd);
}

export function Usage() {
  const bridge = useBridge();
  const [summary, setSummary] = useState<Summary | undefined>();
  const [ended, setEnded] = useState<TaskCost[]>([]);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let active = true;
    bridge
      .summary({ hours: HOURS })
      .then((result) => active && setSummary(result))
      .catch((failure: unknown) => active && setError(errorText(failure)));
    const stopEnded = bridge.onTaskEnded(({ taskId, costUsd }) =>
      setEnded((previous) => [...previous, { taskId, costUsd, endedAt: Date.now() }]),
    );
    return () => {
      active = false;
      stopEnded();
    };
  }, [bridge]);

  const costs = mergeCosts(summary?.costPerTask ?? [], ended);

  return (
    <section className="view usage-view" aria-labelledby="usage-heading">
      <header className="view-header">
        <h2 id="usage-heading">Usage</h2>
      </header>
      {error && (
        <p className="inline-error" role="alert">
          Could not read usage: {error}
        </p>
      )}
      <h3>Actions per hour (last {HOURS} hours)</h3>
      {summary ? (
        <ActionsChart buckets={summary.actionsPerHour} />
      ) : (
        <p className="muted">Loading…</p>
      )}
      {summary?.truncated && (
        <p className="muted">Busy window: only the most recent events are counted.</p>
      )}
      <h3>Cost per task</h3>
      <CostChart costs={costs} />
    </section>
  );
}

function ActionsChart({ buckets }: { buckets: HourBucket[] }) {
  const width = 480;
  const height = 120;
  const most = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const barWidth = width / buckets.length;
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height + 16}`}
      role="img"
      aria-label={`Actions per hour: ${total} in the last ${buckets.length} hours, at most ${most} in one hour`}
    >
      {buckets.map((bucket, index) => {
        const barHeight = (bucket.count / most) * height;
        const hour = new Date(bucket.hour).getHours();
        return (
          <g key={bucket.hour}>
            <rect
              className="bar"
              data-testid="hour-bar"
              x={index * barWidth + 1}
              y={height - barHeight}
              width={barWidth - 2}
              height={barHeight}
            >
              <title>{`${String(hour).padStart(2, '0')}:00 — ${bucket.count} actions`}</title>
            </rect>
            {index % 6 === 0 && (
              <text className="axis" x={index * barWidth} y={height + 12}>
                {String(hour).padStart(2, '0')}:00
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

function CostChart({ costs }: { costs: TaskCost[] }) {
  if (costs.length === 0) return <p className="muted">No model costs recorded yet.</p>;
  const shown = costs.slice(0, 12);
  const rowHeight = 20;
  const labelWidth = 90;
  const width = 480;
  const most = Math.max(...shown.map((cost) => cost.costUsd), 0.0001);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${shown.length * rowHeight}`}
      role="img"
      aria-label={`Cost per task: ${shown
        .map((cost) => `task ${cost.taskId.slice(0, 8)} $${cost.costUsd.toFixed(4)}`)
        .join(', ')}`}
    >
      {shown.map((cost, index) => {
        const barWidth = (cost.costUsd / most) * (width - labelWidth - 70);
        const y = index * rowHeight;
        return (
          <g key={cost.taskId}>
            <text className="axis" x={0} y={y + 14}>
              {cost.taskId.slice(0, 8)}
            </text>
            <rect
              className="bar"
              data-testid="cost-bar"
              x={labelWidth}
              y={y + 3}
              width={barWidth}
              height={rowHeight - 6}
            />
            <text className="axis" x={labelWidth + barWidth + 4} y={y + 14}>
              ${cost.costUsd.toFixed(4)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
