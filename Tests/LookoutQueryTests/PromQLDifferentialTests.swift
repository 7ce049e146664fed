import Foundation
import LookoutModel
import Testing
@testable import LookoutQuery

/// Offline differential check against recorded Prometheus responses, when `PROMQL_DIFF_DIR` names a
/// directory holding `data.txt` (OpenMetrics lines `name{labels} value ts_seconds`, as written by
/// tests/differential/generate.py) and `expected.jsonl` (one query per line with Prometheus's
/// `response` envelope, fields as in tests/differential/queries.py).
@Suite struct PromQLDifferentialTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PROMQL_DIFF_DIR"] != nil, "set PROMQL_DIFF_DIR to run"))
    func recordedPrometheusResponses() throws {
        let dir = try #require(ProcessInfo.processInfo.environment["PROMQL_DIFF_DIR"])
        let engine = QueryEngine(querier: try Self.load(dir + "/data.txt"))
        let lines = try String(contentsOfFile: dir + "/expected.jsonl", encoding: .utf8).split(separator: "\n")
        var failures = 0
        for line in lines {
            let q = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let response = q["response"] as! [String: Any]
            let expr = q["expr"] as! String
            let got: Result<QueryValue, QueryError>
            let clock = ContinuousClock()
            let began = clock.now
            defer {
                if ProcessInfo.processInfo.environment["PROMQL_DIFF_TIMES"] != nil {
                    print("TIME #\(q["id"]!) \(Double((clock.now - began).components.attoseconds) / 1e18 + Double((clock.now - began).components.seconds))")
                }
            }
            do throws(QueryError) {
                if q["kind"] as! String == "instant" {
                    got = .success(try engine.instant(expr, at: Self.ms(q["time"]!)))
                } else {
                    let step = Self.ms(q["step"]!)
                    got = .success(try engine.range(expr, start: Self.ms(q["start"]!), end: Self.ms(q["end"]!), step: step))
                }
            } catch {
                got = .failure(error)
            }
            if var problem = Self.compare(response, got, ordered: q["kind"] as! String == "instant" && expr.hasPrefix("sort")) {
                // topk/bottomk choose arbitrarily among equal values: compare values per timestamp.
                if expr.contains("topk") || expr.contains("bottomk"), case .success(let value) = got,
                   Self.valuesPerTime(response) == Self.valuesPerTime(value) {
                    continue
                }
                problem += ""
                failures += 1
                print("DIFF #\(q["id"]!) \(q["kind"]!) \(expr.debugDescription): \(problem)")
            }
        }
        print("DIFF total \(lines.count), failed \(failures)")
    }

    static func valuesPerTime(_ response: [String: Any]) -> [Int64: [String]] {
        guard let data = response["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else { return [:] }
        var out: [Int64: [String]] = [:]
        for s in result {
            let points = (s["values"] as? [Any]) ?? [s["value"]!]
            for p in points {
                let (t, v) = point(p)
                out[t, default: []].append(String(format: "%.9g", v))
            }
        }
        return out.mapValues { $0.sorted() }
    }

    static func valuesPerTime(_ value: QueryValue) -> [Int64: [String]] {
        var out: [Int64: [String]] = [:]
        switch value {
        case .vector(let v): for s in v { out[s.sample.timestamp, default: []].append(String(format: "%.9g", s.sample.value)) }
        case .matrix(let m): for s in m { for p in s.samples { out[p.timestamp, default: []].append(String(format: "%.9g", p.value)) } }
        default: break
        }
        return out.mapValues { $0.sorted() }
    }

    static func ms(_ any: Any) -> Int64 {
        if let d = any as? Double { return Int64((d * 1000).rounded()) }
        if let i = any as? Int { return Int64(i) * 1000 }
        return Int64((Double("\(any)")! * 1000).rounded())
    }

    static func load(_ path: String) throws -> InMemoryMetricQuerier {
        var series: [Labels: [Sample]] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            guard let (labels, rest) = PromQLCaseRunner.parseSeries(String(line)) else { continue }
            let parts = rest.split(separator: " ")
            guard parts.count == 2, let v = PromQLCaseRunner.parseValue(String(parts[0])), let ts = Double(parts[1]) else { continue }
            series[labels, default: []].append(Sample(Int64((ts * 1000).rounded()), v))
        }
        return InMemoryMetricQuerier(series.map { SeriesData(labels: $0.key, samples: $0.value.sorted { $0.timestamp < $1.timestamp }) })
    }

    static func value(_ s: Any) -> Double {
        let text = "\(s)"
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text) ?? .nan
        }
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        if abs(a - b) <= 1e-9 { return true }
        return abs(a - b) <= 1e-5 * max(abs(a), abs(b))
    }

    static func labels(_ metric: Any) -> Labels { Labels((metric as! [String: String])) }

    static func point(_ any: Any) -> (Int64, Double) {
        let pair = any as! [Any]
        return (ms(pair[0]), value(pair[1]))
    }

    static func compare(_ response: [String: Any], _ got: Result<QueryValue, QueryError>, ordered: Bool) -> String? {
        let status = response["status"] as! String
        switch got {
        case .failure(let error):
            if status == "error" {
                let type = response["errorType"] as! String
                return type == error.kind.rawValue ? nil : "errorType \(type) (\(response["error"]!)) vs \(error.kind.rawValue) (\(error.message))"
            }
            return "prometheus succeeds, lookout errors: \(error.message)"
        case .success(let value):
            guard status == "success" else { return "prometheus errors (\(response["error"]!)), lookout gives \(String(describing: value).prefix(200))" }
            let data = response["data"] as! [String: Any]
            let type = data["resultType"] as! String
            let result = data["result"]!
            switch value {
            case .scalar(let s):
                guard type == "scalar" else { return "resultType \(type) vs scalar" }
                let (t, v) = point(result)
                return t == s.timestamp && close(v, s.value) ? nil : "scalar \(v)@\(t) vs \(s.value)@\(s.timestamp)"
            case .string(let s, _):
                guard type == "string" else { return "resultType \(type) vs string" }
                return "\((result as! [Any])[1])" == s ? nil : "string differs"
            case .vector(let vec):
                guard type == "vector" else { return "resultType \(type) vs vector" }
                let want = (result as! [[String: Any]]).map { (labels($0["metric"]!), point($0["value"]!)) }
                if want.count != vec.count {
                    return "count \(want.count) vs \(vec.count): want \(want.map { "\($0.0) \($0.1.1)" }.prefix(6)) got \(vec.map { "\($0.labels) \($0.sample.value)" }.prefix(6))"
                }
                if ordered {
                    for (w, g) in zip(want, vec) where !close(w.1.1, g.sample.value) {
                        return "order: want \(want.map { $0.1.1 }) got \(vec.map(\.sample.value))"
                    }
                }
                var byLabels: [Labels: Double] = [:]
                for g in vec { byLabels[g.labels] = g.sample.value }
                for w in want {
                    guard let g = byLabels[w.0] else { return "missing \(w.0); got \(vec.map(\.labels).prefix(4))" }
                    if !close(w.1.1, g) { return "\(w.0): \(w.1.1) vs \(g)" }
                    if w.1.0 != vec[0].sample.timestamp { return "timestamp \(w.1.0) vs \(vec[0].sample.timestamp)" }
                }
                return nil
            case .matrix(let m):
                guard type == "matrix" else { return "resultType \(type) vs matrix" }
                let want = (result as! [[String: Any]]).map { (labels($0["metric"]!), ($0["values"] as! [Any]).map(point)) }
                if want.count != m.count {
                    return "series \(want.count) vs \(m.count): want \(want.map(\.0).prefix(4)) got \(m.map(\.labels).prefix(4))"
                }
                var byLabels: [Labels: [Sample]] = [:]
                for s in m { byLabels[s.labels] = s.samples }
                for (l, points) in want {
                    guard let g = byLabels[l] else { return "missing series \(l)" }
                    if g.count != points.count {
                        let wt = Set(points.map(\.0)), gt = Set(g.map(\.timestamp))
                        return "\(l): \(points.count) vs \(g.count) points; only prometheus \(wt.subtracting(gt).sorted().prefix(5)), only lookout \(gt.subtracting(wt).sorted().prefix(5))"
                    }
                    for (p, s) in zip(points, g) where p.0 != s.timestamp || !close(p.1, s.value) {
                        return "\(l) at \(p.0): \(p.1) vs \(s.value)@\(s.timestamp)"
                    }
                }
                return nil
            }
        }
    }
}
