import LookoutModel
import LookoutQuery
import Testing

/// LogQL log queries: selectors, line filters, parsers and label filters on records, and errors
/// that name their column as Loki's do.
struct LogQLTests {
    static let record = LogRecord(labels: ["service": "checkout", "level": "error"], timestampNs: 1,
                                  line: #"{"msg":"timeout after 5003ms","status":502,"user":{"id":"ada"},"service":"inner"}"#,
                                  level: .error, fields: [LogField("region", "eu")])

    static func lines(_ query: String, _ records: [LogRecord] = [record]) throws -> [LogQuery.Line] {
        let q = try LogQLParser.parse(query)
        return records.filter { r in q.matchers.allSatisfy { $0.matches(r.labels) } }.compactMap(q.apply)
    }

    @Test func lineFiltersChain() throws {
        #expect(try Self.lines(#"{service="checkout"} |= "timeout" != "retry""#).count == 1)
        #expect(try Self.lines(#"{service="checkout"} |= "timeout" |= "retry""#).isEmpty)
        #expect(try Self.lines(#"{service=~"check.*"} |~ "after [0-9]+ms""#).count == 1)
        #expect(try Self.lines(#"{service="checkout"} !~ "after [0-9]+ms""#).isEmpty)
        #expect(try Self.lines(#"{service="cart"}"#).isEmpty)
    }

    @Test func jsonFlattensAndLabelFiltersCompare() throws {
        let line = try #require(try Self.lines(#"{service="checkout"} | json | status >= 500 | user_id = "ada""#).first)
        #expect(line.labels["msg"] == "timeout after 5003ms")
        #expect(line.labels["service"] == "checkout" && line.labels["service_extracted"] == "inner", "a stream label is not overwritten")
        #expect(try Self.lines(#"{service="checkout"} | json | status < 500"#).isEmpty)
        #expect(try Self.lines(#"{service="checkout"} | json | status != 502"#).isEmpty)
        #expect(try Self.lines(#"{service="checkout"} | region = "eu""#).count == 1, "structured fields filter without a parser")
        #expect(try Self.lines(#"{service="checkout"} | region =~ "u.*""#).isEmpty, "label regexes are anchored")
    }

    @Test func parserFailuresSetErrorAsLokiDoes() throws {
        var plain = Self.record
        plain.line = "level=info msg=\"ok\" took=3ms"
        #expect(try Self.lines(#"{service="checkout"} | json"#, [plain]).first?.labels["__error__"] == "JSONParserErr")
        #expect(try Self.lines(#"{service="checkout"} | logfmt | took = "3ms""#, [plain]).first?.labels["msg"] == "ok")
        #expect(try Self.lines(#"{service="checkout"} | logfmt | __error__ = """#, [plain]).count == 1)
        #expect(try Self.lines(#"{service="checkout"} | logfmt"#).first?.labels["__error__"] == "LogfmtParserErr")
    }

    @Test func errorsNameTheirColumn() {
        for (query, expected) in [
            (#"{service="a"} |= "#, "parse error at line 1, col 18: syntax error: unexpected end of input, expecting a string"),
            (#"service="a""#, "parse error at line 1, col 1: syntax error: unexpected \"s\", expecting {"),
            (#"{}"#, "parse error at line 1, col 2: queries require at least one matcher"),
            (#"{a=""}"#, "parse error at line 1, col 1: queries require at least one regexp or equality matcher that does not have an empty-compatible value"),
            (#"{a="b"} |~ "(""#, nil),
            (#"{a="b"} | unwrap x"#, "parse error at line 1, col 11: unwrap is only allowed in a range aggregation such as sum_over_time({…} | unwrap x [5m])"),
            (#"{a="b"} | n > "x""#, "parse error at line 1, col 13: > compares numbers; n > \"x\" compares a string"),
            (#"{a="b" "#, "parse error at line 1, col 8: syntax error: unexpected end of input, expecting , or }"),
        ] as [(String, String?)] {
            #expect(throws: LogQLParser.Failure.self) { _ = try LogQLParser.parse(query) }
            if let expected {
                do { _ = try LogQLParser.parse(query) } catch { #expect(error.description == expected, "\(query)") }
            }
        }
    }

    @Test func onlyFiltersOnTheStoredLineNarrowPages() throws {
        #expect(try LogQLParser.parse(#"{a="b"} |= "x" |= "y" or "z" != "w" | json |= "v""#).requiredSubstrings == ["x", "v"])
        #expect(try LogQLParser.parse(#"{a="b"} |= "x" | line_format "{{.a}}" |= "y""#).requiredSubstrings == ["x"])
        #expect(try LogQLParser.parse(#"{a="b"} | unpack |= "y""#).requiredSubstrings.isEmpty, "unpack rewrites the line")
        #expect(try LogQLParser.parse(#"{a="b"} | decolorize |= "y""#).requiredSubstrings.isEmpty)
    }
}
