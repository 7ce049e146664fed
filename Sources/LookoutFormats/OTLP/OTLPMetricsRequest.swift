import Foundation
import LookoutModel
import SwiftProtobuf

typealias OTLPExportMetricsRequest = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest
typealias OTLPExportMetricsResponse = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceResponse
typealias OTLPMetric = Opentelemetry_Proto_Metrics_V1_Metric

/// One decoded `ExportMetricsServiceRequest`, translated into Prometheus samples as Prometheus's
/// own OTLP receiver translates them: names with dots and other characters made `_`, unit
/// suffixes (`_seconds`, `_bytes`, `_ratio`…), `_total` on monotonic cumulative sums, explicit-bucket
/// histograms as classic `_bucket{le}`, `_sum`, `_count`, summaries as `{quantile}`, `_sum`,
/// `_count`; `service.namespace`/`service.name` as `job` and `service.instance.id` as `instance`,
/// the other resource attributes on a `target_info` series. Delta sums and histograms are made
/// cumulative by an `OTLPDeltaAccumulator` where that is exact. What cannot be translated exactly —
/// a delta point after a gap or a repeat, exponential histograms — is rejected per data point,
/// with the reason.
public struct OTLPMetricsRequest: Sendable {
    public var samples: [(labels: Labels, sample: Sample)] = []
    public var rejectedDataPoints = 0
    public var errorMessage = ""
    var deltas: OTLPDeltaAccumulator?

    public static func decode(_ body: [UInt8], encoding: OTLPEncoding,
                              deltas: OTLPDeltaAccumulator? = nil) throws(OTLPDecodeError) -> OTLPMetricsRequest {
        let request = try OTLPEncoding.message(OTLPExportMetricsRequest.self, body, encoding, name: "ExportMetricsServiceRequest")
        var result = OTLPMetricsRequest()
        result.deltas = deltas
        result.translate(request)
        return result
    }

    public func response(_ encoding: OTLPEncoding) -> [UInt8] {
        var response = OTLPExportMetricsResponse()
        if rejectedDataPoints > 0 {
            response.partialSuccess.rejectedDataPoints = Int64(rejectedDataPoints)
            response.partialSuccess.errorMessage = errorMessage
        }
        return OTLPTraceRequest.serialize(response, encoding)
    }

    mutating func reject(_ count: Int, _ metric: String, _ why: String) {
        guard count > 0 else { return }
        if rejectedDataPoints == 0 { errorMessage = "metric \(metric.debugDescription): \(why)" }
        rejectedDataPoints += count
    }

    mutating func translate(_ request: OTLPExportMetricsRequest) {
        for rm in request.resourceMetrics {
            let attributes = OTLPAttributes.attributes(rm.resource.attributes)
            var target: [String: String] = [:]
            let service = attributes["service.name"]?.text
            let namespace = attributes["service.namespace"]?.text
            if let service { target["job"] = namespace.map { "\($0)/\(service)" } ?? service }
            if let instance = attributes["service.instance.id"]?.text { target["instance"] = instance }
            var info = target
            for a in attributes where !["service.name", "service.namespace", "service.instance.id"].contains(a.key) {
                info[OTLPMetricNames.labelName(a.key)] = a.value.text
            }
            var infoTime: Int64?
            for sm in rm.scopeMetrics {
                for metric in sm.metrics {
                    infoTime = max(infoTime ?? .min, translate(metric, target: target) ?? .min)
                }
            }
            if let infoTime, infoTime != .min, info.count > target.count {
                info["__name__"] = "target_info"
                samples.append((Labels(info), Sample(infoTime, 1)))
            }
        }
    }

    /// Appends a metric's samples; returns the latest timestamp used, for `target_info`.
    mutating func translate(_ metric: OTLPMetric, target: [String: String]) -> Int64? {
        let unit = metric.unit
        var latest: Int64?
        func labels(_ name: String, _ kvs: [OTLPKeyValue], extra: [String: String] = [:]) -> Labels {
            var pairs = target
            for a in OTLPAttributes.attributes(kvs) { pairs[OTLPMetricNames.labelName(a.key)] = a.value.text }
            for (k, v) in extra { pairs[k] = v }
            pairs["__name__"] = name
            return Labels(pairs)
        }
        func add(_ labels: Labels, _ timeUnixNano: UInt64, _ value: Double) {
            let t = Int64(timeUnixNano / 1_000_000)
            latest = max(latest ?? .min, t)
            samples.append((labels, Sample(t, value)))
        }
        switch metric.data {
        case .gauge(let gauge):
            let name = OTLPMetricNames.name(metric.name, unit: unit, kind: .gauge)
            for p in gauge.dataPoints { add(labels(name, p.attributes), p.timeUnixNano, Self.value(p)) }
        case .sum(let sum):
            let name = OTLPMetricNames.name(metric.name, unit: unit, kind: sum.isMonotonic ? .counter : .gauge)
            for p in sum.dataPoints {
                let series = labels(name, p.attributes)
                // A point with no recorded value is a stale marker, never an increment.
                guard sum.aggregationTemporality == .delta, p.flags & 1 == 0 else {
                    add(series, p.timeUnixNano, Self.value(p))
                    continue
                }
                guard let deltas else {
                    reject(1, metric.name, "delta temporality is not taken here; set the exporter's temporality to cumulative")
                    continue
                }
                switch deltas.add(series, start: p.startTimeUnixNano, time: p.timeUnixNano, deltas: [Self.value(p)]) {
                case .success(let totals): add(series, p.timeUnixNano, totals[0])
                case .failure(let why): reject(1, metric.name, why.message)
                }
            }
        case .histogram(let histogram):
            let base = OTLPMetricNames.name(metric.name, unit: unit, kind: .histogram)
            for p in histogram.dataPoints {
                guard p.bucketCounts.isEmpty || p.bucketCounts.count == p.explicitBounds.count + 1 else {
                    reject(1, metric.name, "a data point has \(p.bucketCounts.count) bucket counts for \(p.explicitBounds.count) bounds (want bounds + 1)")
                    continue
                }
                // Output order: each bucket (cumulative over le), then the sum, then the count.
                var values: [Double] = []
                var cumulative: UInt64 = 0
                for count in p.bucketCounts {
                    cumulative &+= count
                    values.append(Double(cumulative))
                }
                if p.bucketCounts.isEmpty { values.append(Double(p.count)) }
                values += [p.hasSum ? p.sum : 0, Double(p.count)]
                if histogram.aggregationTemporality == .delta {
                    guard let deltas else {
                        reject(1, metric.name, "delta temporality is not taken here; set the exporter's temporality to cumulative")
                        continue
                    }
                    var bounds = p.explicitBounds.map(PromNumber.format).joined(separator: ",")
                    bounds = bounds.isEmpty ? "+Inf" : bounds
                    switch deltas.add(labels(base, p.attributes, extra: ["le": bounds]), start: p.startTimeUnixNano,
                                      time: p.timeUnixNano, deltas: values) {
                    case .success(let totals): values = totals
                    case .failure(let why):
                        reject(1, metric.name, why.message)
                        continue
                    }
                }
                let buckets = max(p.bucketCounts.count, 1)
                for i in 0..<buckets {
                    let le = !p.bucketCounts.isEmpty && i < p.explicitBounds.count ? PromNumber.format(p.explicitBounds[i]) : "+Inf"
                    add(labels(base + "_bucket", p.attributes, extra: ["le": le]), p.timeUnixNano, values[i])
                }
                if p.hasSum { add(labels(base + "_sum", p.attributes), p.timeUnixNano, values[buckets]) }
                add(labels(base + "_count", p.attributes), p.timeUnixNano, values[buckets + 1])
            }
        case .summary(let summary):
            let base = OTLPMetricNames.name(metric.name, unit: unit, kind: .summary)
            for p in summary.dataPoints {
                for q in p.quantileValues {
                    add(labels(base, p.attributes, extra: ["quantile": PromNumber.format(q.quantile)]), p.timeUnixNano, q.value)
                }
                add(labels(base + "_sum", p.attributes), p.timeUnixNano, p.sum)
                add(labels(base + "_count", p.attributes), p.timeUnixNano, Double(p.count))
            }
        case .exponentialHistogram(let histogram):
            reject(histogram.dataPoints.count, metric.name, "exponential histograms are not stored yet (Lookout keeps classic histograms); configure the SDK's explicit bucket histogram aggregation")
        case nil:
            reject(1, metric.name, "the metric has no data")
        }
        return latest
    }

    static func value(_ p: Opentelemetry_Proto_Metrics_V1_NumberDataPoint) -> Double {
        if p.flags & 1 != 0 { return StaleMarker.value } // NO_RECORDED_VALUE: the series went away
        switch p.value {
        case .asDouble(let d): return d
        case .asInt(let i): return Double(i)
        case nil: return 0
        }
    }
}
