import LookoutModel
import Testing
@testable import LookoutRules

@Suite struct RuleUnitTestsTests {
    @Test func expandingNotation() {
        #expect(RuleUnitTests.expand("1+1x3") == [1, 2, 3, 4])
        #expect(RuleUnitTests.expand("5-2x2 _ 7") == [5, 3, 1, nil, 7])
        #expect(RuleUnitTests.expand("1x2 _x2") == [1, 1, 1, nil, nil])
        #expect(RuleUnitTests.expand("-1+0.5x1") == [-1, -0.5])
        #expect(RuleUnitTests.expand("stale").map { $0.map { $0.map(StaleMarker.isStale) } } == [true])
        #expect(RuleUnitTests.expand("1+x") == nil)
    }

    @Test func seriesNotation() {
        #expect(RuleUnitTests.metric("up{job=\"a\"}") == ["__name__": "up", "job": "a"])
        #expect(RuleUnitTests.metric("up{job=~\"a\"}") == nil)
    }
}
