import Foundation
import LookoutModel
import LookoutQuery
import LookoutYAML
import Yams

/// Runs `promtool test rules` unit-test files: `rule_files`, `evaluation_interval`, and `tests[]`
/// of `input_series` (in the expanding notation, `1+1x10`, `_`, `stale`), `alert_rule_test` and
/// `promql_expr_test`, evaluating the rules over the input in memory from time 0, as promtool does.
public enum RuleUnitTests {
    /// One file's outcome: the failures, each a readable paragraph; empty when it passed.
    public struct Outcome: Sendable {
        public var failures: [String]
        public var passed: Bool { failures.isEmpty }
    }

    public static func run(file: String) async throws(ConfigError) -> Outcome {
        let text = try YAMLReader.contents(of: file, what: "test file")
        let reader = YAMLReader(file: file)
        guard let root = try reader.compose(text) else { return Outcome(failures: []) }
        let base = (file as NSString).deletingLastPathComponent
        var ruleFiles: [String] = [], interval: Int64 = 60_000, tests: [Node] = []
        for (key, _, value) in try reader.mapping(root, "the test file", allowed: ["rule_files", "evaluation_interval", "group_eval_order", "tests"]) {
            switch key {
            case "rule_files": ruleFiles = try reader.strings(value, key)
            case "evaluation_interval": interval = try reader.duration(value, key)
            case "group_eval_order": _ = try reader.strings(value, key)
            default: tests = try reader.sequence(value, key)
            }
        }
        let (files, missing) = RuleFileParser.expand(ruleFiles, baseDirectory: base.isEmpty ? "." : base)
        if let first = missing.first { throw reader.error(root, "rule file \"\(first)\" does not exist") }
        var groups: [RuleGroup] = []
        for f in files { groups += try RuleFileParser.load(file: f, defaultInterval: interval) }
        var failures: [String] = []
        for (index, node) in tests.enumerated() {
            failures += try await runTest(node, index: index, reader: reader, groups: groups, interval: interval)
        }
        return Outcome(failures: failures)
    }

    static func runTest(_ node: Node, index: Int, reader: YAMLReader, groups: [RuleGroup], interval evaluationInterval: Int64) async throws(ConfigError) -> [String] {
        var interval = evaluationInterval, name = "test \(index + 1)"
        var series: [(Labels, [Double?])] = [], alertTests: [Node] = [], exprTests: [Node] = []
        var external: [String: String] = [:], externalURL = ""
        let keys: Set<String> = ["interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels", "external_url", "name"]
        for (key, _, value) in try reader.mapping(node, "a test", allowed: keys) {
            switch key {
            case "interval": interval = try reader.duration(value, key)
            case "name": name = try reader.string(value, key)
            case "external_labels": external = try reader.stringMap(value, key)
            case "external_url": externalURL = try reader.string(value, key)
            case "alert_rule_test": alertTests = try reader.sequence(value, key)
            case "promql_expr_test": exprTests = try reader.sequence(value, key)
            default:
                for item in try reader.sequence(value, key) {
                    var text = "", values = ""
                    for (k, _, v) in try reader.mapping(item, "input_series", allowed: ["series", "values"]) {
                        if k == "series" { text = try reader.string(v, k) } else { values = try reader.string(v, k) }
                    }
                    guard let labels = metric(text) else { throw reader.error(item, "cannot parse series \"\(text)\"") }
                    guard let expanded = expand(values) else { throw reader.error(item, "cannot parse values \"\(values)\"") }
                    series.append((labels, expanded))
                }
            }
        }
        let store = InMemoryMetricStore()
        var batch: [(labels: Labels, sample: Sample)] = []
        for (labels, values) in series {
            for (i, value) in values.enumerated() {
                if let value { batch.append((labels, Sample(Int64(i) * interval, value))) }
            }
        }
        do { _ = try await store.append(batch) } catch { return ["\(name): cannot load the input series: \(error)"] }

        // What each check asks, read before anything runs.
        struct AlertCheck { var at: Int64; var name: String; var expected: [(Labels, Labels)] }
        struct ExprCheck { var at: Int64; var expr: String; var expected: [(Labels, Double)] }
        var alertChecks: [AlertCheck] = [], exprChecks: [ExprCheck] = []
        for test in alertTests {
            var check = AlertCheck(at: 0, name: "", expected: [])
            for (k, _, v) in try reader.mapping(test, "alert_rule_test", allowed: ["eval_time", "alertname", "exp_alerts"]) {
                switch k {
                case "eval_time": check.at = try durationOrZero(v, reader, k)
                case "alertname": check.name = try reader.string(v, k)
                default:
                    for alert in try reader.sequence(v, k) {
                        var labels: [String: String] = [:], annotations: [String: String] = [:]
                        for (ak, _, av) in try reader.mapping(alert, "exp_alerts", allowed: ["exp_labels", "exp_annotations"]) {
                            if ak == "exp_labels" { labels = try reader.stringMap(av, ak) } else { annotations = try reader.stringMap(av, ak) }
                        }
                        check.expected.append((Labels(labels), Labels(annotations)))
                    }
                }
            }
            // promtool adds the alert name to the expected labels.
            check.expected = check.expected.map { (l, a) in (l.setting("alertname", to: check.name), a) }
            alertChecks.append(check)
        }
        for test in exprTests {
            var check = ExprCheck(at: 0, expr: "", expected: [])
            for (k, _, v) in try reader.mapping(test, "promql_expr_test", allowed: ["expr", "eval_time", "exp_samples"]) {
                switch k {
                case "expr": check.expr = try reader.string(v, k)
                case "eval_time": check.at = try durationOrZero(v, reader, k)
                default:
                    for sample in try reader.sequence(v, k) {
                        var labels = Labels.empty, value = 0.0
                        for (sk, _, sv) in try reader.mapping(sample, "exp_samples", allowed: ["labels", "value", "histogram"]) {
                            if sk == "labels" {
                                guard let parsed = metric(try reader.string(sv, sk)) else { throw reader.error(sv, "cannot parse labels") }
                                labels = parsed
                            } else if sk == "value" {
                                value = try reader.double(sv, sk)
                            }
                        }
                        check.expected.append((labels, value))
                    }
                }
            }
            exprChecks.append(check)
        }

        let context = RuleContext(querier: store, appender: store, externalLabels: external, externalURL: externalURL)
        let runners = groups.map { RuleGroupRunner(group: $0, restoreOnFirstEvaluation: false) }
        let end = (alertChecks.map(\.at) + exprChecks.map(\.at)).max() ?? 0
        var failures: [String] = []
        var t: Int64 = 0
        while t <= end {
            for runner in runners where t % max(1, runner.group.interval) == 0 { await runner.evaluate(at: t, context: context) }
            let next = t + evaluationInterval
            for check in alertChecks where check.at >= t && check.at < next {
                let all: [Alert] = runners.flatMap { (runner: RuleGroupRunner) -> [Alert] in runner.snapshot.alerts.flatMap { $0 } }
                let matching: [Alert] = all.filter { $0.state == .firing && $0.labels["alertname"] == check.name }
                let firing: [(Labels, Labels)] = matching.map { ($0.labels, $0.annotations) }.sorted { $0.0 < $1.0 }
                let expected = check.expected.sorted { $0.0 < $1.0 }
                if firing.map({ "\($0.0) \($0.1)" }) != expected.map({ "\($0.0) \($0.1)" }) {
                    failures.append("\(name): alertname: \(check.name), time: \(PromDuration.format(check.at)),\n"
                                    + "        exp: \(expected.map { "labels: \($0.0), annotations: \($0.1)" })\n"
                                    + "        got: \(firing.map { "labels: \($0.0), annotations: \($0.1)" })")
                }
            }
            for check in exprChecks where check.at >= t && check.at < next {
                let engine = QueryEngine(querier: store)
                var got: [(Labels, Double)] = []
                do {
                    switch try engine.instant(check.expr, at: check.at) {
                    case .vector(let samples): got = samples.map { ($0.labels, $0.sample.value) }
                    case .scalar(let s): got = [(.empty, s.value)]
                    default: break
                    }
                } catch {
                    failures.append("\(name): expr: \(check.expr), time: \(PromDuration.format(check.at)): \(error)")
                    continue
                }
                let a = got.sorted { $0.0 < $1.0 }, b = check.expected.sorted { $0.0 < $1.0 }
                let same = a.count == b.count && zip(a, b).allSatisfy { x, y in
                    x.0 == y.0 && (x.1 == y.1 || abs(x.1 - y.1) <= 1e-9 * max(abs(x.1), abs(y.1)) || (x.1.isNaN && y.1.isNaN))
                }
                if !same {
                    failures.append("\(name): expr: \(check.expr), time: \(PromDuration.format(check.at)),\n"
                                    + "        exp: \(b.map { "\($0.0) \(PromNumber.formatShortest($0.1))" })\n"
                                    + "        got: \(a.map { "\($0.0) \(PromNumber.formatShortest($0.1))" })")
                }
            }
            t = next
        }
        return failures
    }

    static func durationOrZero(_ node: Node, _ reader: YAMLReader, _ key: String) throws(ConfigError) -> Int64 {
        let text = try reader.string(node, key)
        if text == "0" || text == "0s" { return 0 }
        return try reader.duration(node, key)
    }

    /// `name{a="b"}` as labels.
    static func metric(_ text: String) -> Labels? {
        guard case .vectorSelector(let selector)? = try? PromQLParser.parse(text) else { return nil }
        var pairs: [String: String] = [:]
        for m in selector.matchers {
            guard m.kind == .equal else { return nil }
            pairs[m.name] = m.value
        }
        return Labels(pairs)
    }

    /// promtool's expanding notation: `1 2 3`, `1+1x3` (1 2 3 4), `5-1x2`, `1x3`, `_`, `_x3`, `stale`.
    static func expand(_ text: String) -> [Double?]? {
        var out: [Double?] = []
        for item in text.split(separator: " ") {
            if item == "_" { out.append(nil); continue }
            if item == "stale" { out.append(StaleMarker.value); continue }
            if item.hasPrefix("_x"), let n = Int(item.dropFirst(2)) { out += Array(repeating: nil, count: n); continue }
            if let x = item.lastIndex(of: "x"), let n = Int(item[item.index(after: x)...]) {
                let head = item[..<x]
                var start = Substring(head), step = 0.0
                if let op = head.dropFirst().lastIndex(where: { $0 == "+" || $0 == "-" }) {
                    start = head[..<op]
                    guard let s = Double(head[head.index(after: op)...]) else { return nil }
                    step = head[op] == "+" ? s : -s
                }
                guard let first = Double(start) else { return nil }
                for i in 0...n { out.append(first + Double(i) * step) }
                continue
            }
            guard let value = Double(item) else { return nil }
            out.append(value)
        }
        return out
    }
}
