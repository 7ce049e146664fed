import Foundation
import LookoutModel
@testable import LookoutQuery

/// Runs LogQL case files (`LogQLCases/*.test`) against `InMemoryLogStore`:
///
/// ```
/// push {service="checkout", level="error"}     # lines of one stream: time, then the line
///   0s timeout after 5003ms
///   10s {"msg":"ok"} ## region=eu user=ada     # `## k=v …`: the line's structured fields
/// clear                                        # forget every line pushed so far
/// eval logs at 5m {service="checkout"} |= "x"  # lines in [0, 5m], newest first, limit 100
///   {level="error", service="checkout"} 10s {"msg":"ok"}
/// eval logs forward limit 2 at 5m …            # oldest first, at most 2
/// eval instant at 5m count_over_time({…}[5m])
///   {level="error", service="checkout"} 2
/// eval range from 0 to 2m step 1m sum(count_over_time({…}[1m]))
///   {} 1 _ 3                                   # one value per step, `_` for none
/// eval_fail at 0 sum_over_time({a="b"}[5m])
///   error invalid aggregation                  # optional: the message must contain this
/// ```
/// Lines of a log result are compared in order; series of a metric result in any order. Values
/// compare with a relative tolerance of 1e-6.
struct LogQLCaseRunner {
    private(set) var failures: [PromQLCaseRunner.Failure] = []
    private(set) var caseCount = 0
    let file: String
    private var store = InMemoryLogStore()

    init(file: String) {
        self.file = file
    }

    static func ns(_ text: Substring) -> Int64? {
        PromQLCaseRunner.parseTime(String(text)).map { $0 * 1_000_000 }
    }

    mutating func fail(_ line: Int, _ message: String) {
        failures.append(.init(file: file, line: line, message: message))
    }

    mutating func run(_ text: String) {
        let lines = text.components(separatedBy: "\n")
        var i = 0
        func isIndented(_ l: String) -> Bool { l.hasPrefix(" ") || l.hasPrefix("\t") }
        while i < lines.count {
            let line = lines[i]
            let lineNo = i + 1
            i += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            var body: [(Int, String)] = []
            while i < lines.count, isIndented(lines[i]) || lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("#") && isIndented(lines[i]) {
                if !lines[i].trimmingCharacters(in: .whitespaces).isEmpty { body.append((i + 1, lines[i].trimmingCharacters(in: .whitespaces))) }
                i += 1
            }
            if trimmed == "clear" {
                store = InMemoryLogStore()
            } else if trimmed.hasPrefix("push ") {
                push(String(trimmed.dropFirst(5)), body, lineNo)
            } else if trimmed.hasPrefix("eval_fail ") {
                evalFail(String(trimmed.dropFirst(10)), body, lineNo)
            } else if trimmed.hasPrefix("eval logs ") {
                evalLogs(String(trimmed.dropFirst(10)), body, lineNo)
            } else if trimmed.hasPrefix("eval instant at ") || trimmed.hasPrefix("eval range from ") {
                evalMetric(String(trimmed.dropFirst(5)), body, lineNo)
            } else {
                fail(lineNo, "unknown command: \(trimmed)")
            }
        }
    }

    mutating func push(_ header: String, _ body: [(Int, String)], _ lineNo: Int) {
        guard let (labels, rest) = PromQLCaseRunner.parseSeries(header), rest.isEmpty else { return fail(lineNo, "bad stream: \(header)") }
        var records: [LogRecord] = []
        for (n, text) in body {
            let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard let t = Self.ns(parts[0]) else { fail(n, "bad time: \(parts[0])"); continue }
            var line = parts.count > 1 ? String(parts[1]) : ""
            var fields: [LogField] = []
            if let r = line.range(of: " ## ") {
                for pair in line[r.upperBound...].split(separator: " ") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    fields.append(LogField(String(kv[0]), kv.count > 1 ? String(kv[1]) : ""))
                }
                line = String(line[..<r.lowerBound])
            }
            records.append(LogRecord(labels: labels, timestampNs: t, line: line, level: LogLevel(text: labels["level"] ?? ""), fields: fields))
        }
        store.add(records)
    }

    /// `[forward] [limit N] at T query`.
    mutating func evalLogs(_ rest: String, _ expected: [(Int, String)], _ lineNo: Int) {
        var words = rest.split(separator: " ", omittingEmptySubsequences: true)
        var forward = false, limit = 100
        while let w = words.first, w != "at" {
            words.removeFirst()
            if w == "forward" { forward = true } else if w == "limit", let n = words.first.flatMap({ Int($0) }) { limit = n; words.removeFirst() } else {
                return fail(lineNo, "unknown eval logs option \(w)")
            }
        }
        guard words.count >= 3, let at = Self.ns(words[1]) else { return fail(lineNo, "expected: eval logs [forward] [limit N] at T query") }
        let query = words[2...].joined(separator: " ")
        caseCount += 1
        do {
            guard case .logs(let q) = try LogQLExpression.parse(query) else { return fail(lineNo, "not a log query: \(query)") }
            let result = try LogQueryEngine(store: store).lines(q, startNs: 0, endNs: at, limit: limit, forward: forward)
            // Loki's streams, flattened back into the order of the lines.
            var got: [(Labels, Int64, String)] = result.streams.flatMap { s in s.lines.map { (s.labels, $0.record.timestampNs, $0.text) } }
            got.sort { forward ? $0.1 < $1.1 : $0.1 > $1.1 }
            var want: [(Labels, Int64, String)] = []
            for (n, text) in expected {
                guard let (labels, rest) = PromQLCaseRunner.parseSeries(text) else { fail(n, "bad expected line"); continue }
                let parts = rest.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard let t = Self.ns(parts[0]) else { fail(n, "bad time"); continue }
                want.append((labels, t, parts.count > 1 ? String(parts[1]) : ""))
            }
            let show = { (l: [(Labels, Int64, String)]) in l.map { "\($0.0) \($0.1 / 1_000_000)ms \($0.2)" }.joined(separator: "\n    ") }
            if got.count != want.count || zip(got, want).contains(where: { $0.0 != $1.0 || $0.1 != $1.1 || $0.2 != $1.2 }) {
                fail(lineNo, "\(query)\n  want:\n    \(show(want))\n  got:\n    \(show(got))")
            }
        } catch {
            fail(lineNo, "\(query): \(error)")
        }
    }

    mutating func evalMetric(_ rest: String, _ expected: [(Int, String)], _ lineNo: Int) {
        let words = rest.split(separator: " ", omittingEmptySubsequences: true)
        let value: QueryValue
        let query: String
        var steps = 1, fromMs: Int64 = 0, stepMs: Int64 = 1
        caseCount += 1
        do {
            let engine = LogQueryEngine(store: store)
            if words.first == "instant" {
                guard words.count >= 4, let at = Self.ns(words[2]) else { return fail(lineNo, "expected: eval instant at T query") }
                query = words[3...].joined(separator: " ")
                guard case .metric(let q) = try LogQLExpression.parse(query) else { return fail(lineNo, "not a metric query") }
                value = try engine.instant(q, atNs: at).0
            } else {
                guard words.count >= 8, let from = Self.ns(words[2]), let to = Self.ns(words[4]), let step = Self.ns(words[6]) else {
                    return fail(lineNo, "expected: eval range from A to B step S query")
                }
                query = words[7...].joined(separator: " ")
                guard case .metric(let q) = try LogQLExpression.parse(query) else { return fail(lineNo, "not a metric query") }
                value = try engine.range(q, startNs: from, endNs: to, stepNs: step).0
                steps = Int((to - from) / step) + 1
                (fromMs, stepMs) = (from / 1_000_000, step / 1_000_000)
            }
        } catch {
            return fail(lineNo, "\(rest): \(error)")
        }
        var got: [Labels: [Double?]] = [:]
        switch value {
        case .vector(let v): for s in v { got[s.labels] = [s.sample.value] }
        case .scalar(let s): got[Labels()] = [s.value]
        case .matrix(let m):
            for s in m {
                var row = [Double?](repeating: nil, count: steps)
                for sample in s.samples { row[Int((sample.timestamp - fromMs) / stepMs)] = sample.value }
                got[s.labels] = row
            }
        case .string: return fail(lineNo, "a string result")
        }
        var want: [Labels: [Double?]] = [:]
        for (n, text) in expected {
            guard let (labels, values) = PromQLCaseRunner.parseSeries(text) else { fail(n, "bad expected series"); continue }
            want[labels] = values.split(separator: " ").map { $0 == "_" ? nil : PromQLCaseRunner.parseValue(String($0)) }
        }
        func same(_ a: [Double?], _ b: [Double?]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { x, y in
                switch (x, y) {
                case (nil, nil): true
                case (let x?, let y?): PromQLCaseRunner.close(x, y)
                default: false
                }
            }
        }
        let show = { (m: [Labels: [Double?]]) in
            m.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.map { $0.map { PromNumber.formatShortest($0) } ?? "_" }.joined(separator: " "))" }
                .joined(separator: "\n    ")
        }
        if Set(got.keys) != Set(want.keys) || got.contains(where: { !same($0.value, want[$0.key] ?? []) }) {
            fail(lineNo, "\(query)\n  want:\n    \(show(want))\n  got:\n    \(show(got))")
        }
    }

    /// `at T query`: the query must fail to parse or to run (as a log query over [0, T], or a metric
    /// query at T).
    mutating func evalFail(_ rest: String, _ expected: [(Int, String)], _ lineNo: Int) {
        let words = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 3, words[0] == "at", let at = Self.ns(words[1]) else { return fail(lineNo, "expected: eval_fail at T query") }
        let query = words[2...].joined(separator: " ")
        caseCount += 1
        let message: String
        do {
            switch try LogQLExpression.parse(query) {
            case .logs(let q): _ = try LogQueryEngine(store: store).lines(q, startNs: 0, endNs: at, limit: 100, forward: false)
            case .metric(let q): _ = try LogQueryEngine(store: store).instant(q, atNs: at)
            }
            return fail(lineNo, "\(query): expected a failure, got a result")
        } catch {
            message = "\(error)"
        }
        for (n, text) in expected where text.hasPrefix("error ") {
            let want = String(text.dropFirst(6))
            if !message.contains(want) { fail(n, "\(query): error \"\(message)\" does not contain \"\(want)\"") }
        }
    }
}
