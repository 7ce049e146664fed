import Foundation
import LookoutModel
@testable import LookoutQuery

/// Runs promqltest-style case files:
///
/// ```
/// load 5m
///   metric{label="x"} 0+10x10 _ stale 5
/// clear
/// eval instant at 50m expr            # also eval_ordered, eval_fail
///   {label="x"} 1.5
/// eval range from 0 to 10m step 5m expr
///   metric{label="x"} 0 10 _
/// ```
/// Expected values compare with a relative tolerance of 1e-6; NaN equals NaN. With `fastPaths`
/// false, range queries are evaluated step by step in full, without the series-by-series paths.
struct PromQLCaseRunner {
    struct Failure: CustomStringConvertible {
        var file: String
        var line: Int
        var message: String
        var description: String { "\(file):\(line): \(message)" }
    }

    private var series: [Labels: [Sample]] = [:]
    private(set) var failures: [Failure] = []
    private(set) var caseCount = 0
    let file: String

    /// Whether range queries may take the evaluator's series-by-series fast paths.
    let fastPaths: Bool

    init(file: String, fastPaths: Bool = true) {
        self.file = file
        self.fastPaths = fastPaths
    }

    static func parseTime(_ text: String) -> Int64? {
        if let d = PromDuration.parse(text) { return d }
        if let s = Double(text) { return Int64((s * 1000).rounded()) }
        if text.hasPrefix("-"), let d = PromDuration.parse(String(text.dropFirst())) { return -d }
        return nil
    }

    static func parseValue(_ text: String) -> Double? {
        switch text {
        case "Inf", "+Inf", "inf", "+inf": return .infinity
        case "-Inf", "-inf": return -.infinity
        case "NaN", "nan": return .nan
        case "stale": return StaleMarker.value
        default: return Double(text)
        }
    }

    /// Expands `a+bxN`, `a-bxN`, `_xN`, `_`, `stale` and plain numbers; nil entries are gaps.
    static func expandValues(_ tokens: [Substring]) -> [Double?]? {
        var out: [Double?] = []
        for token in tokens {
            let t = String(token)
            if t == "_" {
                out.append(nil)
                continue
            }
            if let x = t.lastIndex(of: "x"), let n = Int(t[t.index(after: x)...]) {
                let head = String(t[..<x])
                if head == "_" {
                    out.append(contentsOf: Array(repeating: nil, count: n))
                    continue
                }
                // Split "a+b" / "a-b" at the last sign that is not at the start or after an 'e'.
                let chars = Array(head)
                var split: Int?
                for i in stride(from: chars.count - 1, to: 0, by: -1)
                where (chars[i] == "+" || chars[i] == "-") && chars[i - 1] != "e" && chars[i - 1] != "E" {
                    split = i
                    break
                }
                if split == nil, let a = parseValue(head) {
                    out.append(contentsOf: Array(repeating: a, count: n + 1))
                    continue
                }
                guard let split, let a = parseValue(String(chars[..<split])),
                      let b = parseValue(String(chars[(split + 1)...])) else { return nil }
                let inc = chars[split] == "-" ? -b : b
                for i in 0...n { out.append(a + Double(i) * inc) }
                continue
            }
            guard let v = parseValue(t) else { return nil }
            out.append(v)
        }
        return out
    }

    /// Splits `name{a="b", c="d"} rest` into labels and the remaining text.
    static func parseSeries(_ line: String) -> (Labels, String)? {
        var chars = Substring(line)
        var pairs: [Label] = []
        let nameEnd = chars.firstIndex { $0 == "{" || $0 == " " || $0 == "\t" } ?? chars.endIndex
        let name = String(chars[..<nameEnd])
        if !name.isEmpty { pairs.append(Label(Labels.metricName, name)) }
        chars = chars[nameEnd...]
        if chars.first == "{" {
            chars = chars.dropFirst()
            while true {
                chars = chars.drop { $0 == " " || $0 == "," }
                if chars.first == "}" {
                    chars = chars.dropFirst()
                    break
                }
                guard let eq = chars.firstIndex(of: "=") else { return nil }
                let labelName = chars[..<eq].trimmingCharacters(in: .whitespaces)
                chars = chars[chars.index(after: eq)...].drop { $0 == " " }
                guard chars.first == "\"" else { return nil }
                chars = chars.dropFirst()
                var value = ""
                while let c = chars.first, c != "\"" {
                    chars = chars.dropFirst()
                    if c == "\\", let n = chars.first {
                        chars = chars.dropFirst()
                        value.append(n == "n" ? "\n" : n)
                    } else {
                        value.append(c)
                    }
                }
                guard !chars.isEmpty else { return nil }
                chars = chars.dropFirst()
                pairs.append(Label(labelName, value))
            }
        }
        return (Labels(pairs), chars.trimmingCharacters(in: .whitespaces))
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        return abs(a - b) <= 1e-6 * max(abs(a), abs(b))
    }

    mutating func fail(_ line: Int, _ message: String) {
        failures.append(Failure(file: file, line: line, message: message))
    }

    var engine: QueryEngine {
        let data = series.map { SeriesData(labels: $0.key, samples: $0.value.sorted { $0.timestamp < $1.timestamp }) }
        return QueryEngine(querier: InMemoryMetricQuerier(data))
    }

    mutating func run(_ text: String) {
        let lines = text.components(separatedBy: "\n")
        var i = 0
        func isIndented(_ l: String) -> Bool { l.hasPrefix(" ") || l.hasPrefix("\t") }
        func body(from start: Int) -> [(Int, String)] {
            var out: [(Int, String)] = []
            var j = start
            while j < lines.count, isIndented(lines[j]) || lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                let trimmed = lines[j].trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty && !trimmed.hasPrefix("#") { out.append((j + 1, trimmed)) }
                j += 1
            }
            return out
        }
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            let lineNo = i + 1
            i += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            switch words[0] {
            case "clear":
                series = [:]
            case "load":
                guard words.count == 2, let step = PromDuration.parse(String(words[1])) else {
                    fail(lineNo, "bad load command")
                    continue
                }
                let entries = body(from: i)
                i += entries.count
                while i < lines.count, isIndented(lines[i]) || lines[i].trimmingCharacters(in: .whitespaces).isEmpty && i + 1 < lines.count && isIndented(lines[i + 1]) { i += 1 }
                for (n, entry) in entries {
                    guard let (labels, rest) = PromQLCaseRunner.parseSeries(entry),
                          let values = PromQLCaseRunner.expandValues(rest.split(separator: " ")) else {
                        fail(n, "bad series line: \(entry)")
                        continue
                    }
                    for (k, v) in values.enumerated() {
                        if let v { series[labels, default: []].append(Sample(Int64(k) * step, v)) }
                    }
                }
            case "eval", "eval_ordered", "eval_fail":
                let entries = body(from: i)
                while i < lines.count, isIndented(lines[i]) { i += 1 }
                caseCount += 1
                runEval(line, words: words, lineNo: lineNo, expected: entries)
            default:
                fail(lineNo, "unknown command \(words[0])")
            }
        }
    }

    mutating func runEval(_ line: String, words: [Substring], lineNo: Int, expected: [(Int, String)]) {
        let command = words[0]
        var result: QueryValue
        var query: String
        var isRange = false
        var rangeStart: Int64 = 0, rangeStep: Int64 = 1
        do throws(QueryError) {
            if words.count > 3, words[1] == "instant", words[2] == "at", let t = PromQLCaseRunner.parseTime(String(words[3])) {
                query = words.dropFirst(4).joined(separator: " ")
                result = try engine.instant(query, at: t)
            } else if words.count > 7, words[1] == "range", words[2] == "from", words[4] == "to", words[6] == "step",
                      let s = PromQLCaseRunner.parseTime(String(words[3])), let e = PromQLCaseRunner.parseTime(String(words[5])),
                      let st = PromQLCaseRunner.parseTime(String(words[7])) {
                query = words.dropFirst(8).joined(separator: " ")
                isRange = true
                rangeStart = s
                rangeStep = st
                result = try engine.range(try PromQLParser.parse(query), start: s, end: e, step: st, fastPaths: fastPaths)
            } else {
                fail(lineNo, "bad eval command: \(line)")
                return
            }
        } catch {
            if command == "eval_fail" {
                if let (n, want) = expected.first, want.hasPrefix("error ") {
                    let substring = String(want.dropFirst(6))
                    if !error.message.contains(substring) {
                        fail(n, "expected error containing \"\(substring)\", got \"\(error.message)\"")
                    }
                }
                return
            }
            fail(lineNo, "unexpected error: \(error.kind.rawValue): \(error.message)")
            return
        }
        if command == "eval_fail" {
            fail(lineNo, "expected an error, got \(result)")
            return
        }
        if isRange {
            guard case .matrix(let got) = result else {
                fail(lineNo, "range query returned \(result)")
                return
            }
            var remaining = Dictionary(got.map { ($0.labels, $0.samples) }, uniquingKeysWith: { a, _ in a })
            for (n, entry) in expected {
                guard let (labels, rest) = PromQLCaseRunner.parseSeries(entry),
                      let values = PromQLCaseRunner.expandValues(rest.split(separator: " ")) else {
                    fail(n, "bad expected line: \(entry)")
                    continue
                }
                guard let samples = remaining.removeValue(forKey: labels) else {
                    fail(n, "missing series \(labels) in result of \(line); got \(got.map(\.labels))")
                    continue
                }
                let want = values.enumerated().compactMap { k, v in v.map { Sample(rangeStart + Int64(k) * rangeStep, $0) } }
                let ok = want.count == samples.count
                    && zip(want, samples).allSatisfy { $0.timestamp == $1.timestamp && PromQLCaseRunner.close($0.value, $1.value) }
                if !ok {
                    fail(n, "series \(labels): want \(want.map { "\($0.value)@\($0.timestamp)" }), got \(samples.map { "\($0.value)@\($0.timestamp)" })")
                }
            }
            for (labels, _) in remaining { fail(lineNo, "unexpected series \(labels) in result of \(line)") }
            return
        }
        switch result {
        case .scalar(let s):
            guard expected.count == 1, let want = PromQLCaseRunner.parseValue(expected[0].1) else {
                fail(lineNo, "scalar result \(s.value) but expected \(expected.map(\.1))")
                return
            }
            if !PromQLCaseRunner.close(want, s.value) { fail(expected[0].0, "want scalar \(want), got \(s.value)") }
        case .string(let s, _):
            guard expected.count == 1, expected[0].1 == Expr.quote(s) else {
                fail(lineNo, "string result \(Expr.quote(s)) but expected \(expected.map(\.1))")
                return
            }
        case .matrix(let m):
            fail(lineNo, "instant query returned a matrix of \(m.count) series; matrix expectations are not supported")
        case .vector(let got):
            var unmatched = got
            var position = 0
            for (n, entry) in expected {
                guard let (labels, rest) = PromQLCaseRunner.parseSeries(entry),
                      let values = PromQLCaseRunner.expandValues(rest.split(separator: " ")), values.count == 1,
                      let want = values[0] else {
                    fail(n, "bad expected line: \(entry)")
                    continue
                }
                if command == "eval_ordered" {
                    guard position < got.count, got[position].labels == labels else {
                        fail(n, "position \(position): want \(labels), got \(position < got.count ? got[position].labels.description : "nothing")")
                        position += 1
                        continue
                    }
                    position += 1
                }
                guard let index = unmatched.firstIndex(where: { $0.labels == labels }) else {
                    fail(n, "missing \(labels) in result of \(line); got \(got.map { "\($0.labels) \($0.sample.value)" })")
                    continue
                }
                let sample = unmatched.remove(at: index)
                if !PromQLCaseRunner.close(want, sample.sample.value) {
                    fail(n, "\(labels): want \(want), got \(sample.sample.value)")
                }
            }
            for s in unmatched { fail(lineNo, "unexpected \(s.labels) \(s.sample.value) in result of \(line)") }
        }
    }
}
