import LookoutModel

/// Evaluates a `TraceQL` query on one whole trace: the spans it matched, or nil when the trace
/// does not match. Regexes are compiled once per evaluator (RE2, anchored, as Tempo's).
public struct TraceQLEvaluator: Sendable {
    public let query: TraceQL
    private let regexes: [String: AnchoredRegex]

    public init(_ query: TraceQL) {
        self.query = query
        var patterns: [String: AnchoredRegex] = [:]
        Self.collectRegexes(query, into: &patterns)
        regexes = patterns
    }

    /// The service named by a top-level `resource.service.name = "x"`, to narrow the index.
    public var service: String? { Self.service(in: query) }

    public func matches(_ spans: [Span]) -> [Span]? {
        let context = TraceContext(spans)
        return evaluate(query, context)
    }

    private struct TraceContext {
        var spans: [Span]
        var root: Span?
        var durationNano: UInt64

        init(_ spans: [Span]) {
            self.spans = spans
            root = spans.first(where: \.isRoot)
            let start = spans.map(\.startUnixNano).min() ?? 0
            durationNano = (spans.map(\.endUnixNano).max() ?? 0) &- start
        }
    }

    private func evaluate(_ q: TraceQL, _ t: TraceContext) -> [Span]? {
        switch q {
        case .spanset(let condition):
            let matched = condition.map { c in t.spans.filter { holds(c, $0, t) } } ?? t.spans
            return matched.isEmpty ? nil : matched
        case .and(let a, let b):
            guard let x = evaluate(a, t), let y = evaluate(b, t) else { return nil }
            return Self.union(x, y)
        case .or(let a, let b):
            switch (evaluate(a, t), evaluate(b, t)) {
            case (nil, nil): return nil
            case (let x?, nil): return x
            case (nil, let y?): return y
            case (let x?, let y?): return Self.union(x, y)
            }
        case .pipeline(let inner, let aggregate):
            guard let matched = evaluate(inner, t) else { return nil }
            let durations = matched.map { Double($0.durationNano) }
            let value: Double
            switch aggregate.function {
            case .count: value = Double(matched.count)
            case .avg: value = durations.reduce(0, +) / Double(durations.count)
            case .min: value = durations.min()!
            case .max: value = durations.max()!
            case .sum: value = durations.reduce(0, +)
            }
            let bound: Double
            switch aggregate.value {
            case .number(let n): bound = n
            case .durationNano(let d): bound = Double(d)
            default: return nil
            }
            return Self.compare(value, aggregate.op, bound) ? matched : nil
        }
    }

    private func holds(_ c: TraceQL.Condition, _ s: Span, _ t: TraceContext) -> Bool {
        switch c {
        case .and(let a, let b): return holds(a, s, t) && holds(b, s, t)
        case .or(let a, let b): return holds(a, s, t) || holds(b, s, t)
        case .compare(let field, let op, let value):
            switch field {
            case .name: return compare(.string(s.name), op, value)
            case .statusMessage: return compare(.string(s.status.message), op, value)
            case .rootServiceName: return t.root.map { compare(.string($0.serviceName), op, value) } ?? false
            case .rootName: return t.root.map { compare(.string($0.name), op, value) } ?? false
            case .status:
                guard case .status(let code) = value else { return false }
                return op == .eq ? s.status.code == code : s.status.code != code
            case .kind:
                guard case .kind(let kind) = value else { return false }
                return op == .eq ? s.kind == kind : s.kind != kind
            case .duration: return compareDuration(s.durationNano, op, value)
            case .traceDuration: return compareDuration(t.durationNano, op, value)
            case .attribute(let scope, let key):
                let found: AttributeValue?
                switch scope {
                case .span: found = s.attributes[key]
                case .resource: found = key == "service.name" ? .string(s.serviceName) : s.resource.attributes[key]
                case nil: found = s.attributes[key] ?? s.resource.attributes[key]
                }
                guard let found else { return false }
                return compare(found, op, value)
            }
        }
    }

    private func compareDuration(_ nanos: UInt64, _ op: TraceQL.Op, _ value: TraceQL.Value) -> Bool {
        switch value {
        case .durationNano(let d): return Self.compare(Double(nanos), op, Double(d))
        case .number(let n): return Self.compare(Double(nanos), op, n)
        default: return false
        }
    }

    private func compare(_ actual: AttributeValue, _ op: TraceQL.Op, _ value: TraceQL.Value) -> Bool {
        switch (actual, value) {
        case (.string(let a), .string(let b)):
            switch op {
            case .match: return regexes[b]?.matches(a) ?? false
            case .notMatch: return !(regexes[b]?.matches(a) ?? true)
            default: return Self.compare(a, op, b)
            }
        case (.int(let a), .number(let b)): return Self.compare(Double(a), op, b)
        case (.double(let a), .number(let b)): return Self.compare(a, op, b)
        case (.int(let a), .durationNano(let d)): return Self.compare(Double(a), op, Double(d))
        case (.bool(let a), .bool(let b)): return op == .eq ? a == b : (op == .ne ? a != b : false)
        case (.string(let a), .status(let code)): return op == .eq ? a == code.shortName : a != code.shortName
        default: return false
        }
    }

    static func compare<T: Comparable>(_ a: T, _ op: TraceQL.Op, _ b: T) -> Bool {
        switch op {
        case .eq: a == b
        case .ne: a != b
        case .gt: a > b
        case .ge: a >= b
        case .lt: a < b
        case .le: a <= b
        case .match, .notMatch: false
        }
    }

    static func union(_ a: [Span], _ b: [Span]) -> [Span] {
        var seen = Set(a.map(\.spanID))
        return a + b.filter { seen.insert($0.spanID).inserted }
    }

    private static func collectRegexes(_ q: TraceQL, into out: inout [String: AnchoredRegex]) {
        func walk(_ c: TraceQL.Condition) {
            switch c {
            case .and(let a, let b), .or(let a, let b): walk(a); walk(b)
            case .compare(_, let op, .string(let p)) where op == .match || op == .notMatch:
                out[p] = try? AnchoredRegex(p)
            case .compare: break
            }
        }
        switch q {
        case .spanset(let c): c.map(walk)
        case .and(let a, let b), .or(let a, let b): collectRegexes(a, into: &out); collectRegexes(b, into: &out)
        case .pipeline(let inner, _): collectRegexes(inner, into: &out)
        }
    }

    private static func service(in q: TraceQL) -> String? {
        func fromCondition(_ c: TraceQL.Condition) -> String? {
            switch c {
            case .compare(.attribute(.resource, "service.name"), .eq, .string(let s)): return s
            case .and(let a, let b): return fromCondition(a) ?? fromCondition(b)
            default: return nil
            }
        }
        switch q {
        case .spanset(let c?): return fromCondition(c)
        case .pipeline(let inner, _): return service(in: inner)
        case .and(let a, let b): return service(in: a) ?? service(in: b)
        default: return nil
        }
    }
}
