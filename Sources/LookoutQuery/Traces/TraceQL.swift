import LookoutModel

/// The subset of TraceQL Lookout answers (Tempo's `q` search parameter): spansets `{ … }` of
/// conditions joined by `&&`/`||` with parentheses, on intrinsics (`name`, `status`, `kind`,
/// `duration`, `rootServiceName`, `rootName`, `traceDuration`) and scoped attributes (`resource.x`,
/// `span.x`, `.x` for either), with `= != > >= < <= =~ !~`; spansets joined by `&&`/`||`; and
/// pipelines `| count() > N`, `| avg(duration) > X` (also `min`, `max`, `sum`). Anything else is
/// a `TraceQLError` naming the unsupported part and its position.
public indirect enum TraceQL: Sendable, Equatable {
    /// `{ condition }`; `{}` (nil) matches every span.
    case spanset(Condition?)
    case and(TraceQL, TraceQL)
    case or(TraceQL, TraceQL)
    /// `query | aggregate op value`.
    case pipeline(TraceQL, Aggregate)

    /// What a span must meet inside `{ … }`.
    public indirect enum Condition: Sendable, Equatable {
        case compare(Field, Op, Value)
        case and(Condition, Condition)
        case or(Condition, Condition)
    }

    /// What a comparison reads from a span or its trace.
    public enum Field: Sendable, Equatable {
        case name, status, kind, duration, rootServiceName, rootName, traceDuration, statusMessage
        /// An attribute: on the resource, on the span, or (`.x`) either, span first.
        case attribute(SpanAttributeScope?, String)
    }

    /// A comparison operator.
    public enum Op: String, Sendable, Equatable {
        case eq = "=", ne = "!=", gt = ">", ge = ">=", lt = "<", le = "<=", match = "=~", notMatch = "!~"
    }

    /// A literal a field is compared with.
    public enum Value: Sendable, Equatable {
        case string(String)
        case number(Double)
        case durationNano(UInt64)
        case bool(Bool)
        case status(SpanStatus.Code)
        case kind(SpanKind)
    }

    /// A pipeline stage: an aggregate of the matched spans compared with a value.
    public struct Aggregate: Sendable, Equatable {
        /// The aggregate functions Lookout takes.
        public enum Function: String, Sendable { case count, avg, min, max, sum }
        public var function: Function
        public var op: Op
        public var value: Value
    }

    public static func parse(_ text: String) throws(TraceQLError) -> TraceQL {
        var parser = TraceQLParser(text)
        return try parser.parseQuery()
    }
}

/// A TraceQL query Lookout cannot parse or does not support, at a 1-based column of the query.
public struct TraceQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var column: Int

    public var description: String { "parse error at column \(column): \(message)" }
}
