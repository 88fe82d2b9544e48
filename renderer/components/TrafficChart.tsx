import { useEffect, useRef } from "react";
import uPlot from "uplot";

import type { SeriesPoint } from "../../shared/stats.js";

const HEIGHT = 220;

/** Requests per second over the last five minutes, forwarded and rejected apart. */
export function TrafficChart({ series }: { series: SeriesPoint[] }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const plot = new uPlot(
      {
        width: element.clientWidth || 640,
        height: HEIGHT,
        scales: {
          x: { time: true },
          y: { range: (_u, _min, max) => [0, Math.max(5, max)] },
        },
        axes: [{}, { label: "requests per second" }],
        series: [
          {},
          { label: "Forwarded", stroke: "#2e7d32", width: 2 },
          { label: "Rejected", stroke: "#c62828", width: 2 },
        ],
      },
      [[], [], []],
      element,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: element.clientWidth, height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setData([
      series.map((point) => point.time / 1000),
      series.map((point) => point.forwarded),
      series.map((point) => point.rejected),
    ]);
  }, [series]);

  return (
    <div
      className="chart"
      ref={container}
      aria-label="Requests per second chart"
    />
  );
}
