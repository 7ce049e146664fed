import LookoutModel

/// A LogQL query as the API receives it: a log query (lines out) or a metric query (samples out).
public enum LogQLExpression: Sendable {
    case logs(LogQuery)
    case metric(LogMetricQuery)

    /// A query starting with `{` is a log query; anything else is a metric query.
    public static func parse(_ text: String) throws(LogQLParser.Failure) -> LogQLExpression {
        if text.drop(while: \.isWhitespace).first == "{" { return .logs(try LogQLParser.parse(text)) }
        return .metric(try LogMetricQuery.parse(text))
    }
}

/// A LogQL metric query: range aggregations of log queries (the leaves), combined by the vector
/// aggregations, binary operations, `vector()`, `label_replace()` and `sort()` LogQL shares with
/// PromQL. The leaves are evaluated here; what combines them is a PromQL expression over one
/// placeholder series name per leaf (`__logql_<n>__`), evaluated by the PromQL engine, so the two
/// languages' arithmetic, matching and `topk` ties are the same.
public struct LogMetricQuery: Sendable {
    /// The PromQL expression, its leaves replaced by the selectors `placeholder(i)`.
    public var expr: Expr
    public var ranges: [LogRangeAggregation]

    static func placeholder(_ i: Int) -> String { "__logql_\(i)__" }

    /// The operators and functions LogQL has around its range aggregations.
    static let aggregations: Set<Aggregation.Operator> = [.sum, .avg, .min, .max, .count, .stddev, .stdvar, .topk, .bottomk]
    static let functions: Set<String> = ["vector", "label_replace", "sort", "sort_desc"]

    public static func parse(_ text: String) throws(LogQLParser.Failure) -> LogMetricQuery {
        let chars = Array(text)
        var promql = ""
        var ranges: [LogRangeAggregation] = []
        var i = 0
        func identChar(_ c: Character) -> Bool { c == "_" || c.isASCII && (c.isLetter || c.isNumber) }
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || c == "`" || c == "'" {
                var j = i + 1
                while j < chars.count, chars[j] != c { j += c == "`" || chars[j] != "\\" ? 1 : 2 }
                promql += String(chars[i..<min(j + 1, chars.count)])
                i = j + 1
                continue
            }
            if c == "{" {
                throw LogQLParser.Failure(column: i + 1, reason: "syntax error: a log selector in a metric query must be inside a range aggregation such as count_over_time({…}[5m])")
            }
            guard c == "_" || c.isASCII && c.isLetter, i == 0 || !identChar(chars[i - 1]) else {
                promql.append(c)
                i += 1
                continue
            }
            var j = i
            while j < chars.count, identChar(chars[j]) { j += 1 }
            let word = String(chars[i..<j])
            var k = j
            while k < chars.count, chars[k].isWhitespace { k += 1 }
            guard let function = LogRangeAggregation.Function(rawValue: word), k < chars.count, chars[k] == "(" else {
                promql += word
                i = j
                continue
            }
            var p = LogQLParser.Cursor(chars: chars, at: k + 1)
            ranges.append(try p.rangeAggregation(function, at: i))
            promql += " " + placeholder(ranges.count - 1) + " "
            i = p.at
        }
        let expr: Expr
        do { expr = try PromQLParser.parse(promql) } catch {
            throw LogQLParser.Failure(column: 1, reason: error.message)
        }
        try validate(expr)
        return LogMetricQuery(expr: expr, ranges: ranges)
    }

    /// Refuses what PromQL has and LogQL does not (metric selectors, ranges, other functions).
    static func validate(_ expr: Expr) throws(LogQLParser.Failure) {
        func fail(_ reason: String) -> LogQLParser.Failure { LogQLParser.Failure(column: 1, reason: reason) }
        switch expr {
        case .number: return
        case .string: throw fail("syntax error: unexpected string")
        case .vectorSelector(let vs):
            guard let name = vs.name, name.hasPrefix("__logql_"), vs.matchers.count == 1, vs.offset == 0, vs.at == nil else {
                throw fail("syntax error: unexpected \(vs.name ?? "selector"); a metric query is made of range aggregations of log queries")
            }
        case .matrixSelector, .subquery: throw fail("syntax error: unexpected range; ranges belong inside a range aggregation")
        case .call(let function, let args):
            guard functions.contains(function.name) else { throw fail("function \(function.name) is not part of LogQL") }
            for (n, a) in args.enumerated() where !(function.name == "label_replace" && n > 0) { try validate(a) }
        case .aggregate(let a):
            guard aggregations.contains(a.op) else { throw fail("aggregation \(a.op.rawValue) is not part of LogQL") }
            if let parameter = a.parameter { try validate(parameter) }
            try validate(a.expr)
        case .binary(let b):
            try validate(b.lhs)
            try validate(b.rhs)
        case .unary(_, let e), .paren(let e): try validate(e)
        }
    }
}

extension LogQLParser.Cursor {
    /// After `function(`: `[φ,] log-query [range] [pipeline] [offset d] )` and `by (…)`/`without (…)`.
    mutating func rangeAggregation(_ function: LogRangeAggregation.Function, at start: Int) throws(LogQLParser.Failure) -> LogRangeAggregation {
        typealias Failure = LogQLParser.Failure
        space()
        var parameter: Double?
        if function == .quantileOverTime {
            let numberAt = at
            while !atEnd, chars[at] != "," { at += 1 }
            guard let q = Double(String(chars[numberAt..<at]).trimmingSpaces), take(",") else {
                throw Failure(column: numberAt + 1, reason: "syntax error: quantile_over_time takes a number, then a log range")
            }
            parameter = q
            space()
        }
        let wrapped = take("(")
        var query = try logQuery()
        space()
        if wrapped {
            guard take(")") else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting )") }
            space()
        }
        guard take("[") else {
            throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a range such as [5m]")
        }
        let rangeAt = at
        while !atEnd, chars[at] != "]" { at += 1 }
        let rangeText = String(chars[rangeAt..<at])
        guard take("]"), let rangeMs = PromDuration.parse(rangeText), rangeMs > 0 else {
            throw Failure(column: rangeAt + 1, reason: "invalid range \"\(rangeText)\": a duration such as 5m")
        }
        // `offset` follows the range, before or after a pipeline written there.
        var offsetNs: Int64?
        offsetNs = try offset()
        query.stages += try pipeline()
        if offsetNs == nil { offsetNs = try offset() }
        space()
        guard take(")") else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting )") }
        var grouping: (without: Bool, labels: [String])?
        let save = at
        space()
        let word = identifier()
        if word == "by" || word == "without" {
            space()
            guard take("(") else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting (") }
            var names: [String] = []
            while true {
                space()
                if take(")") { break }
                let name = identifier()
                guard !name.isEmpty else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a label name") }
                names.append(name)
                space()
                _ = take(",")
            }
            grouping = (word == "without", names)
        } else {
            at = save
        }
        let unwrapped = query.unwrapped != nil
        if function.needsUnwrap && !unwrapped {
            throw Failure(column: start + 1, reason: "invalid aggregation \(function.rawValue) without unwrap")
        }
        if unwrapped && [.countOverTime, .bytesOverTime, .bytesRate, .absentOverTime].contains(function) {
            throw Failure(column: start + 1, reason: "invalid aggregation \(function.rawValue) with unwrap")
        }
        if grouping != nil && !unwrapped {
            throw Failure(column: start + 1, reason: "grouping not allowed for \(function.rawValue) aggregation")
        }
        return LogRangeAggregation(function: function, parameter: parameter, query: query, rangeNs: rangeMs * 1_000_000,
                                   offsetNs: offsetNs ?? 0, grouping: grouping)
    }

    /// `offset 5m`, if it is next.
    mutating func offset() throws(LogQLParser.Failure) -> Int64? {
        space()
        guard take("offset") else { return nil }
        space()
        let offsetAt = at
        while !atEnd, chars[at] != ")", chars[at] != "|", !chars[at].isWhitespace { at += 1 }
        guard let ms = PromDuration.parse(String(chars[offsetAt..<at])) else {
            throw LogQLParser.Failure(column: offsetAt + 1, reason: "invalid offset \"\(String(chars[offsetAt..<at]))\"")
        }
        space()
        return ms * 1_000_000
    }
}
