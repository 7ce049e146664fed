import Logging
import LookoutModel
import LookoutRules
import ServiceLifecycle

/// Writes the span metrics and service graph series into the metric store every
/// `span_metrics.interval`, stamped with the time of writing, so PromQL sees them like any
/// scraped series; their latest exemplars go to the exemplar store with them.
public struct SpanMetricsService: Service {
    let runtime: LookoutRuntime

    public init(runtime: LookoutRuntime) {
        self.runtime = runtime
    }

    public func run() async throws {
        let interval = Duration.milliseconds(runtime.config.spanMetrics.intervalMilliseconds)
        await cancelWhenGracefulShutdown {
            guard let store = await runtime.waitForStore() else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await write(into: store, at: WallClock.nowMilliseconds())
            }
        }
    }

    func write(into store: any MetricStorage, at now: Int64) async {
        let points = runtime.spanMetrics.collect()
        guard !points.isEmpty else { return }
        do {
            _ = try await store.append(points.map { (labels: $0.labels, sample: Sample(now, $0.value)) })
            try runtime.exemplars?.record(points.compactMap { p in
                p.exemplar.map { e in
                    SeriesExemplar(series: p.labels, labels: ["trace_id": e.traceID.hex, "span_id": e.spanID.hex],
                                   value: e.value, timestampMs: e.timestampMs)
                }
            })
        } catch {
            runtime.logger.error("writing span metrics failed", metadata: ["error": "\(error)"])
        }
    }
}
