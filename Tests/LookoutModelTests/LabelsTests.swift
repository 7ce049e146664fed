import Testing
@testable import LookoutModel

@Suite struct LabelsTests {
    @Test func sortsDedupesAndDropsEmpty() {
        let labels = Labels([Label("b", "2"), Label("a", "1"), Label("c", ""), Label("a", "3")])
        #expect(labels.pairs == [Label("a", "3"), Label("b", "2")])
    }

    @Test func rendersLikePrometheus() {
        let labels: Labels = ["__name__": "up", "job": "a\"b", "instance": "x:1"]
        #expect(labels.description == #"up{instance="x:1", job="a\"b"}"#)
    }

    @Test func matchersAreAnchored() throws {
        let m = try LabelMatcher("job", .regexMatch, "api|web")
        #expect(m.matches("api"))
        #expect(!m.matches("api2"))
        let r = try LabelMatcher("path", .regexMatch, "/v1/.*")
        #expect(r.matches("/v1/users"))
        #expect(!r.matches("x/v1/users"))
        #expect(try LabelMatcher("x", .regexNoMatch, "a.+").matches(""))
        #expect(throws: LabelMatcherError.self) { try LabelMatcher("x", .regexMatch, "(") }
    }

    @Test func durations() {
        #expect(PromDuration.parse("1h30m") == 5_400_000)
        #expect(PromDuration.parse("500ms") == 500)
        #expect(PromDuration.parse("15s") == 15_000)
        #expect(PromDuration.parse("1m1h") == nil)
        #expect(PromDuration.parse("") == nil)
        #expect(PromDuration.parse("5") == nil)
        #expect(PromDuration.format(5_400_000) == "1h30m")
    }

    @Test func staleMarkerIsADistinctNaN() {
        #expect(StaleMarker.isStale(StaleMarker.value))
        #expect(!StaleMarker.isStale(.nan))
    }
}

@Suite struct LabelsEscapeTests {
    /// Escaping goes by Unicode scalar: "\r\n" is a single Character, and its newline is escaped.
    @Test func carriageReturnNewlineIsEscaped() {
        #expect(Labels.escape("a\r\nb") == "a\r\\nb")
        #expect(Labels.escape("q\"\\\n") == "q\\\"\\\\\\n")
        #expect(Labels.escape("plain") == "plain")
    }
}
