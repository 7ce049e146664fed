import Foundation
import LookoutModel
import LookoutQuery
import LookoutYAML
import Yams

/// Reads SLO files in Sloth's `prometheus/v1` format, plus Lookout's `sli.red` shorthand and
/// `time_window`, refusing what Sloth refuses with the file and line.
public enum SLOSpecParser {
    /// `spanMetricsBuckets`: the span metrics' latency buckets (seconds), which a span-metrics
    /// latency SLO's threshold must be one of.
    public static func load(file: String, spanMetricsBuckets: [Double]) throws(ConfigError) -> SLOSpec {
        let text = try YAMLReader.contents(of: file, what: "SLO file")
        return try parse(text, file: file, spanMetricsBuckets: spanMetricsBuckets)
    }

    public static func parse(_ text: String, file: String, spanMetricsBuckets: [Double]) throws(ConfigError) -> SLOSpec {
        let reader = YAMLReader(file: file)
        guard let root = try reader.compose(text) else { throw ConfigError(file: file, line: 1, column: 1, message: "the SLO file is empty") }
        var spec = SLOSpec(service: "", labels: [:], slos: [], file: file)
        var version: String?
        var sloNodes: [Node] = []
        for (key, _, value) in try reader.mapping(root, "the SLO file", allowed: ["version", "service", "labels", "slos"]) {
            switch key {
            case "version": version = try reader.string(value, key)
            case "service": spec.service = try reader.string(value, key)
            case "labels": spec.labels = try labels(value, reader)
            default: sloNodes = try reader.sequence(value, key)
            }
        }
        guard version == "prometheus/v1" else {
            throw reader.error(root, "version must be \"prometheus/v1\" (Sloth's format), got \"\(version ?? "")\"")
        }
        guard !spec.service.isEmpty else { throw reader.error(root, "service is required") }
        guard !sloNodes.isEmpty else { throw reader.error(root, "at least one SLO is required") }
        var names = Set<String>()
        for node in sloNodes {
            let slo = try self.slo(node, reader, buckets: spanMetricsBuckets)
            guard names.insert(slo.name).inserted else { throw reader.error(node, "SLO name \"\(slo.name)\" is repeated") }
            spec.slos.append(slo)
        }
        return spec
    }

    static func labels(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> [String: String] {
        let map = try reader.stringMap(node, "labels")
        for name in map.keys where !LabelName.isValid(name) { throw reader.error(node, "invalid label name: \(name)") }
        return map
    }

    static func slo(_ node: Node, _ reader: YAMLReader, buckets: [Double]) throws(ConfigError) -> SLO {
        var slo = SLO(name: "", objective: 0, description: "", labels: [:], sli: .raw(errorRatioQuery: ""), alertName: "",
                      alertLabels: [:], alertAnnotations: [:], page: .init(), ticket: .init(), periodDays: 30)
        var sli: SLO.SLI?
        var sliNode: Node?
        var objectiveSet = false
        let keys: Set<String> = ["name", "objective", "description", "labels", "sli", "alerting", "time_window"]
        for (key, _, value) in try reader.mapping(node, "an SLO", allowed: keys) {
            switch key {
            case "name": slo.name = try reader.string(value, key)
            case "objective":
                slo.objective = try reader.double(value, key)
                objectiveSet = true
                guard slo.objective > 0, slo.objective < 100 else {
                    throw reader.error(value, "objective must be a percentage between 0 and 100 (exclusive), e.g. 99.9")
                }
            case "description": slo.description = try reader.string(value, key)
            case "labels": slo.labels = try labels(value, reader)
            case "time_window":
                let text = try reader.string(value, key)
                guard ["7d", "28d", "30d"].contains(text) else { throw reader.error(value, "time_window must be 7d, 28d or 30d, got \"\(text)\"") }
                slo.periodDays = Int(text.dropLast())!
            case "sli": sli = try self.sli(value, reader, buckets: buckets); sliNode = value
            default: try alerting(value, reader, into: &slo)
            }
        }
        guard !slo.name.isEmpty else { throw reader.error(node, "an SLO needs a name") }
        guard slo.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw reader.error(node, "SLO name \"\(slo.name)\" may hold only letters, digits, '-', '_' and '.'")
        }
        guard objectiveSet else { throw reader.error(node, "SLO \"\(slo.name)\" needs an objective") }
        guard let sli else { throw reader.error(node, "SLO \"\(slo.name)\" needs an sli (events, raw or red)") }
        slo.sli = sli
        if slo.alertName.isEmpty && !(slo.page.disabled && slo.ticket.disabled) {
            throw reader.error(sliNode ?? node, "SLO \"\(slo.name)\" needs alerting.name (or both page_alert and ticket_alert disabled)")
        }
        return slo
    }

    /// A query with `{{.window}}` must parse as PromQL once a window is put in.
    static func query(_ node: Node, _ reader: YAMLReader, _ key: String) throws(ConfigError) -> String {
        let text = try reader.string(node, key)
        guard text.contains("{{.window}}") else { throw reader.error(node, "\(key) must use {{.window}} for its range") }
        do {
            _ = try PromQLParser.parse(text.replacingOccurrences(of: "{{.window}}", with: "5m"))
        } catch {
            throw reader.error(node, "\(key) is not valid PromQL: \(error)")
        }
        return text
    }

    static func sli(_ node: Node, _ reader: YAMLReader, buckets: [Double]) throws(ConfigError) -> SLO.SLI {
        let entries = try reader.mapping(node, "sli", allowed: ["events", "raw", "red"])
        guard entries.count == 1 else { throw reader.error(node, "sli needs exactly one of events, raw or red") }
        let (kind, _, value) = entries[0]
        switch kind {
        case "events":
            var error: String?, total: String?
            for (key, _, v) in try reader.mapping(value, "sli.events", allowed: ["error_query", "total_query"]) {
                if key == "error_query" { error = try query(v, reader, key) } else { total = try query(v, reader, key) }
            }
            guard let error, let total else { throw reader.error(value, "sli.events needs error_query and total_query") }
            return .events(errorQuery: error, totalQuery: total)
        case "raw":
            var ratio: String?
            for (key, _, v) in try reader.mapping(value, "sli.raw", allowed: ["error_ratio_query"]) { ratio = try query(v, reader, key) }
            guard let ratio else { throw reader.error(value, "sli.raw needs error_ratio_query") }
            return .raw(errorRatioQuery: ratio)
        default:
            return try red(value, reader, buckets: buckets)
        }
    }

    /// `red: {service, kind: availability | latency, threshold}` over span metrics, or with
    /// `metric`, `selector` and `errors` over a scraped counter or histogram.
    static func red(_ node: Node, _ reader: YAMLReader, buckets: [Double]) throws(ConfigError) -> SLO.SLI {
        var service: String?, kind = "availability", threshold: Int64?, metric: String?, selector = "", errors: String?
        var thresholdNode: Node?
        for (key, _, v) in try reader.mapping(node, "sli.red", allowed: ["service", "kind", "threshold", "metric", "selector", "errors"]) {
            switch key {
            case "service": service = try reader.string(v, key)
            case "kind":
                kind = try reader.string(v, key)
                guard kind == "availability" || kind == "latency" else { throw reader.error(v, "sli.red.kind must be availability or latency") }
            case "threshold": threshold = try reader.duration(v, key); thresholdNode = v
            case "metric":
                metric = try reader.string(v, key)
                guard LabelName.isValidMetricName(metric!) else { throw reader.error(v, "invalid metric name \"\(metric!)\"") }
            case "selector": selector = try reader.string(v, key)
            default: errors = try reader.string(v, key)
            }
        }
        func check(_ matchers: String, _ what: String) throws(ConfigError) {
            guard !matchers.isEmpty else { return }
            do { _ = try PromQLParser.parse("x{\(matchers)}") } catch { throw reader.error(node, "sli.red.\(what) is not a valid matcher list: \(error)") }
        }
        try check(selector, "selector")
        try check(errors ?? "", "errors")
        func joined(_ parts: String...) -> String { parts.filter { !$0.isEmpty }.joined(separator: ",") }
        func rate(_ name: String, _ matchers: String) -> String { "sum(rate(\(name){\(matchers)}[{{.window}}]))" }

        if let metric {
            if kind == "availability" {
                guard let errors else { throw reader.error(node, "sli.red over a scraped counter needs errors, e.g. code=~\"5..\"") }
                return .events(errorQuery: rate(metric, joined(selector, errors)), totalQuery: rate(metric, selector))
            }
            guard let threshold else { throw reader.error(node, "a latency SLI needs threshold, e.g. 300ms") }
            let le = "le=\"\(PromNumber.format(Double(threshold) / 1000))\""
            return .events(errorQuery: "(\(rate(metric + "_count", selector)) - \(rate(metric + "_bucket", joined(selector, le))))",
                           totalQuery: rate(metric + "_count", selector))
        }
        guard let service, !service.isEmpty else { throw reader.error(node, "sli.red needs service (span metrics) or metric (a scraped series)") }
        let spans = joined("service=\"\(Labels.escape(service))\"", "span_kind=\"SPAN_KIND_SERVER\"", selector)
        if kind == "availability" {
            return .events(errorQuery: rate("traces_spanmetrics_calls_total", joined(spans, "status_code=\"STATUS_CODE_ERROR\"")),
                           totalQuery: rate("traces_spanmetrics_calls_total", spans))
        }
        guard let threshold else { throw reader.error(node, "a latency SLI needs threshold, e.g. 300ms") }
        let seconds = Double(threshold) / 1000
        guard buckets.contains(where: { abs($0 - seconds) < 1e-9 }) else {
            let below = buckets.last { $0 < seconds }, above = buckets.first { $0 > seconds }
            let nearest = [below, above].compactMap { $0 }.map { PromDuration.format(Int64(($0 * 1000).rounded())) }
            throw reader.error(thresholdNode, "threshold \(PromDuration.format(threshold)) is not a span_metrics latency bucket boundary; "
                               + "the nearest are \(nearest.joined(separator: " and ")) (or add it to span_metrics.buckets)")
        }
        let le = "le=\"\(PromNumber.format(seconds))\""
        return .events(errorQuery: "(\(rate("traces_spanmetrics_latency_count", spans)) - \(rate("traces_spanmetrics_latency_bucket", joined(spans, le))))",
                       totalQuery: rate("traces_spanmetrics_latency_count", spans))
    }

    static func alerting(_ node: Node, _ reader: YAMLReader, into slo: inout SLO) throws(ConfigError) {
        for (key, _, value) in try reader.mapping(node, "alerting", allowed: ["name", "labels", "annotations", "page_alert", "ticket_alert"]) {
            switch key {
            case "name":
                slo.alertName = try reader.string(value, key)
                guard LabelName.isValid(slo.alertName) else { throw reader.error(value, "alerting.name must be a valid alert name, got \"\(slo.alertName)\"") }
            case "labels": slo.alertLabels = try labels(value, reader)
            case "annotations": slo.alertAnnotations = try reader.stringMap(value, key)
            default:
                var spec = SLO.AlertSpec()
                for (k, _, v) in try reader.mapping(value, key, allowed: ["disable", "labels", "annotations"]) {
                    switch k {
                    case "disable": spec.disabled = try reader.bool(v, k)
                    case "labels": spec.labels = try labels(v, reader)
                    default: spec.annotations = try reader.stringMap(v, k)
                    }
                }
                if key == "page_alert" { slo.page = spec } else { slo.ticket = spec }
            }
        }
    }
}
