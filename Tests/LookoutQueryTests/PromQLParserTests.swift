import LookoutModel
import Testing
@testable import LookoutQuery

/// Parser behaviour: precedence, printing back, and error positions.
@Suite struct PromQLParserTests {
    static let roundTrips: [(String, String)] = [
        ("1 + 2 * 3", "1 + 2 * 3"),
        ("(1 + 2) * 3", "(1 + 2) * 3"),
        ("2 ^ 3 ^ 2", "2 ^ 3 ^ 2"),
        ("-2 ^ 2", "-2 ^ 2"),
        ("foo", "foo"),
        ("foo{job=\"api\",instance!=\"0\"}", "foo{job=\"api\", instance!=\"0\"}"),
        ("{__name__=~\"foo.*\"}", "{__name__=~\"foo.*\"}"),
        ("rate(foo[5m])", "rate(foo[5m])"),
        ("foo[1h30m] offset -5m", "foo[1h30m] offset -5m"),
        ("foo @ 100 offset 5m", "foo @ 100.000 offset 5m"),
        ("foo @ start()", "foo @ start()"),
        ("max_over_time(rate(foo[1m])[5m:])", "max_over_time(rate(foo[1m])[5m:])"),
        ("max_over_time(rate(foo[1m])[5m:30s] @ end())", "max_over_time(rate(foo[1m])[5m:30s] @ end())"),
        ("sum by (job) (foo)", "sum by (job) (foo)"),
        ("sum(foo) without (instance)", "sum without (instance) (foo)"),
        ("topk(3, foo)", "topk(3, foo)"),
        ("count_values(\"v\", foo)", "count_values(\"v\", foo)"),
        ("a / on(x) group_left(y) b", "a / on (x) group_left (y) b"),
        ("a > bool ignoring(x) b", "a > bool ignoring (x) b"),
        ("a and b or c unless d", "a and b or c unless d"),
        // Number literals print as Go's fmt.Sprint does.
        ("0x1F + 1e3 + Inf", "31 + 1000 + +Inf"),
        ("123456 + 1e6 + 0.0001 + 0.00001 + 1.5e300", "123456 + 1e+06 + 0.0001 + 1e-05 + 1.5e+300"),
        ("-1e-7 + -0", "-1e-07 + -0"),
        ("'single' ", "\"single\""),
        ("`raw\\n`", "\"raw\\\\n\""),
        ("foo # comment\n + bar", "foo + bar"),
        ("label_join(foo, \"a\", \",\", \"b\", \"c\")", "label_join(foo, \"a\", \",\", \"b\", \"c\")"),
        ("day_of_week()", "day_of_week()"),
        ("nan", "NaN"),
    ]

    /// Prometheus 2.42's functions (float ones; `promql/parser/functions.go`).
    static let prometheusFunctions = [
        "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time",
        "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "day_of_month",
        "day_of_week", "day_of_year", "days_in_month", "deg", "delta", "deriv", "exp", "floor", "histogram_count",
        "histogram_fraction", "histogram_quantile", "histogram_sum", "holt_winters", "hour", "idelta", "increase",
        "irate", "label_join", "label_replace", "last_over_time", "ln", "log10", "log2", "max_over_time",
        "min_over_time", "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time",
        "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt",
        "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
    ]

    /// The one function table knows exactly Prometheus's names, each resolved to a function the
    /// evaluator dispatches on, and printed back under its name.
    @Test func everyFunctionResolves() throws {
        #expect(PromQLFunction.byName.keys.sorted() == Self.prometheusFunctions)
        for name in Self.prometheusFunctions {
            let function = try #require(PromQLFunction(name: name), "\(name)")
            #expect(function.name == name)
        }
        #expect(PromQLFunction(name: "no_such_function") == nil)
    }

    @Test(arguments: roundTrips)
    func printsBack(_ input: String, _ expected: String) throws {
        let expr = try PromQLParser.parse(input)
        #expect(expr.description == expected)
        // Printing is a fixed point.
        #expect(try PromQLParser.parse(expr.description).description == expected)
    }

    @Test func precedence() throws {
        guard case .binary(let b) = try PromQLParser.parse("1 + 2 * 3") else { Issue.record("not binary"); return }
        #expect(b.op == .add)
        guard case .binary(let p) = try PromQLParser.parse("2 ^ 3 ^ 2"), case .binary(let inner) = p.rhs else {
            Issue.record("pow not right-assoc"); return
        }
        #expect(inner.op == .pow)
        guard case .unary(true, .binary(let u)) = try PromQLParser.parse("-foo ^ 2") else {
            Issue.record("unary minus should bind looser than ^"); return
        }
        #expect(u.op == .pow)
        guard case .binary(let m) = try PromQLParser.parse("-foo * 2"), case .unary = m.lhs else {
            Issue.record("unary minus should bind tighter than *"); return
        }
        guard case .binary(let o) = try PromQLParser.parse("a or b and c") else { Issue.record("or"); return }
        #expect(o.op == .or)
        guard case .binary(let c) = try PromQLParser.parse("a + b > c - d") else { Issue.record("cmp"); return }
        #expect(c.op == .gtr)
        #expect(try PromQLParser.parse("1 - -1") == .binary(BinaryOperation(op: .sub, lhs: .number(1), rhs: .number(-1))))
    }

    static let errors: [(String, String)] = [
        ("foo +", "1:6: parse error: unexpected end of input"),
        ("1 + * 2", "1:5: parse error: unexpected <op:*>"),
        ("foo{", "1:5: parse error: unexpected end of input inside braces"),
        ("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        ("rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"),
        ("abs(foo, bar)", "1:1: parse error: expected 1 argument(s) in call to \"abs\", got 2"),
        ("nosuch(foo)", "1:1: parse error: unknown function with name \"nosuch\""),
        ("1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("foo and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"),
        ("sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"),
        ("(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"),
        ("foo\n  + bar[5m]", "2:5: parse error: binary expression must contain only scalar and instant vector types"),
        ("\"unterminated", "1:1: parse error: unterminated quoted string"),
        ("foo offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times"),
        ("foo + on(a) group_left(a) bar", "1:1: parse error: label \"a\" must not occur in ON and GROUP clause at once"),
        ("foo and on(a) group_left bar", "1:1: parse error: no grouping allowed for \"and\" operation"),
        ("1 + on(a) foo", "1:1: parse error: vector matching only allowed between instant vectors"),
        ("foo + bool bar", "1:1: parse error: bool modifier can only be used on comparison operators"),
        ("topk(foo, bar)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"),
        ("", "1:1: parse error: no expression found in input"),
        ("foo @ bar", "1:7: parse error: unexpected identifier \"bar\" in @, expected timestamp"),
        ("-\"a\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector"),
        ("foo{a=~\"(\"}", "1:8: parse error: invalid regular expression"),
        ("(1", "1:3: parse error: unclosed left parenthesis"),
        ("1)", "1:2: parse error: unexpected right parenthesis ')'"),
        ("foo[0s]", "1:4: parse error: duration must be greater than 0"),
        ("foo + group_left bar", "1:7: parse error: unexpected <group_left>"),
        ("rate(foo[5m]) @ 100", "1:1: parse error: @ modifier must be preceded by an instant vector selector"),
        ("1 or on(bar) foo", "1:1: parse error: vector matching only allowed between instant vectors"),
    ]

    @Test(arguments: errors)
    func reportsErrors(_ input: String, _ expected: String) {
        do {
            let expr = try PromQLParser.parse(input)
            Issue.record("parsed \(input) as \(expr)")
        } catch {
            #expect(error.kind == .badData)
            #expect(error.message.hasPrefix(expected), "\(error.message)")
        }
    }
}
