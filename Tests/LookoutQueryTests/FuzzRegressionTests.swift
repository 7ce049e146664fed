import Testing
@testable import LookoutQuery

/// Inputs the fuzz targets (`scripts/fuzz.sh`) found, kept so they stay fixed.
@Suite struct FuzzRegressionTests {
    /// FuzzPromQL, 2026-12-01: an unmatched `]` made the bracket depth negative, after which the
    /// lexer returned empty tokens for `:` forever (a hang that ate memory).
    @Test(arguments: ["sum_over_tm(imeet] @ 1:0)\n", "a] :b", "} :x", "]]]:"])
    func unmatchedClosersBeforeAColonAreParseErrors(_ input: String) {
        #expect(throws: QueryError.self) { try PromQLParser.parse(input) }
    }

    /// FuzzPromQL, 2026-12-01: `+Inf` printed before `^` reads back as a unary plus over the
    /// power, so printing is not a fixed point there (as in Prometheus); the printout still parses.
    @Test func anInfinitePowerPrintsToTextThatParses() throws {
        let printed = try PromQLParser.parse("Inf/nf -nf - Inf^f - IInIBf").description
        #expect(printed == "+Inf / nf - nf - +Inf ^ f - IInIBf")
        #expect(throws: Never.self) { try PromQLParser.parse(printed) }
    }

    /// FuzzPromQL, 2026-12-01: a matcher value holding "\r\n" printed it raw (Swift's Character
    /// "\r\n" is neither "\r" nor "\n"), so the printout did not parse.
    @Test func aCarriageReturnNewlineInAValuePrintsEscaped() throws {
        let expr = try PromQLParser.parse("up{job!~\"a\r\\nb\"}")
        #expect(expr.description == "up{job!~\"a\r\\nb\"}")
        #expect(try PromQLParser.parse(expr.description).description == expr.description)
    }
}
