import type { ServiceMetricPoint } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { MetricChart } from '../../training/views/MetricChart.js';
import { SERVICE_CHARTS, serviceChartData, type ServiceChartId, type ServiceLineKey } from '../model/serviceCharts.js';

function lineLabel(key: ServiceLineKey, trans: TranslationBundle): string {
  const labels: Record<ServiceLineKey, string> = {
    requests: trans.__('Requests'),
    status4xx: trans.__('4xx'),
    status5xx: trans.__('5xx'),
    throttled: trans.__('Throttled'),
    latencyP50Ms: 'p50',
    latencyP90Ms: 'p90',
    latencyP99Ms: 'p99',
    tokensPerMinute: trans.__('Tokens per minute'),
    ttftP50Ms: trans.__('Time to first token p50'),
  };
  return labels[key];
}

const count = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const ms = (v: number) => (v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`);

/** The service's traffic: requests, errors and throttling; latency; LLM tokens and time to first token. */
export function ServiceCharts({
  points,
  step,
  trans,
  onRefresh,
}: {
  points: readonly ServiceMetricPoint[];
  step: number;
  trans: TranslationBundle;
  onRefresh: () => void;
}) {
  const charts = React.useMemo(() => {
    const titles: Record<ServiceChartId, string> = {
      traffic: trans.__('Requests per %1 s', step),
      latency: trans.__('Latency'),
      tokens: trans.__('LLM tokens'),
      ttft: trans.__('Time to first token'),
    };
    const formats: Record<ServiceChartId, (v: number) => string> = {
      traffic: count,
      latency: ms,
      tokens: count,
      ttft: ms,
    };
    return (Object.keys(SERVICE_CHARTS) as ServiceChartId[]).map((id) => ({
      id,
      title: titles[id],
      format: formats[id],
      data: serviceChartData(points, id, step),
    }));
  }, [points, step, trans]);
  return (
    <div className="aiplat-jobView-metrics" data-testid="aiplat-service-metrics" data-points={points.length}>
      <button className="jp-mod-styled" onClick={onRefresh}>
        {trans.__('Refresh')}
      </button>
      {points.length === 0 && <div className="aiplat-logs-note">{trans.__('No traffic yet.')}</div>}
      {points.length > 0 &&
        charts
          .filter((c) => c.data.series.length > 0)
          .map((c) => (
            <MetricChart
              key={c.id}
              testId={`aiplat-service-chart-${c.id}`}
              title={c.title}
              data={c.data}
              seriesLabel={(i) => lineLabel(SERVICE_CHARTS[c.id][i] ?? 'requests', trans)}
              formatValue={c.format}
            />
          ))}
    </div>
  );
}
