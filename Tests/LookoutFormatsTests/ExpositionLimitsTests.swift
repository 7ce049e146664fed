import LookoutModel
import Testing
@testable import LookoutFormats

/// Limits bite while the scanner reads: a hostile body stops at its first breach, and label sets
/// of any size are checked for duplicates and sorted in n log n.
@Suite struct ExpositionLimitsTests {
    /// One sample with `n` labels named in reverse order, which is what made the scanner quadratic.
    static func wideSample(_ n: Int, duplicateLast: Bool = false) -> [UInt8] {
        var line = "wide{"
        for i in stride(from: n - 1, through: 0, by: -1) { line += "l\(String(format: "%06d", i))=\"v\","; }
        if duplicateLast { line += "l\(String(format: "%06d", n - 1))=\"again\"," }
        return Array((line + "} 1\n").utf8)
    }

    static func failure(_ body: [UInt8], _ limits: ExpositionLimits) -> ExpositionError? {
        do {
            var cache = SeriesBytesCache(capacity: 0)
            _ = try ExpositionParser(format: .prometheusText).parse(body, cache: &cache, limits: limits)
            return nil
        } catch { return error as? ExpositionError }
    }

    @Test func labelLimitStopsAtTheFirstLabelOverIt() throws {
        let error = try #require(Self.failure(Self.wideSample(80_000), ExpositionLimits(labelLimit: 100)))
        #expect(error.limitExceeded)
        #expect(error.message == "label_limit exceeded: more than 100 labels")
        // The 100th label after `__name__` starts at byte 5 + 99 × 12 of the line: nothing after it was read.
        #expect(error.line == 1 && error.column == 6 + 99 * 12)
    }

    @Test func sampleLimitStopsAtTheFirstSampleOverIt() throws {
        let body = Array((0..<10_000).map { "m{i=\"\($0)\"} 1\n" }.joined().utf8)
        let error = try #require(Self.failure(body, ExpositionLimits(sampleLimit: 10)))
        #expect(error.limitExceeded && error.line == 11 && error.message == "sample_limit exceeded: more than 10 samples")
        #expect(Self.failure(body, ExpositionLimits(sampleLimit: 10_000)) == nil)
    }

    @Test func aPassedDeadlineStopsTheParse() throws {
        let body = Array((0..<5_000).map { "m{i=\"\($0)\"} 1\n" }.joined().utf8)
        let error = try #require(Self.failure(body, ExpositionLimits(deadline: .now - .seconds(1))))
        #expect(error.limitExceeded && error.line == 1025, "checked every 1,024 lines")
        #expect(error.message == "parsing did not finish within the scrape timeout")
    }

    @Test func wideLabelSetsAreSortedAndCheckedForDuplicates() throws {
        let parsed = try ExpositionParser(format: .prometheusText).parse(Self.wideSample(40_000))
        let labels = parsed.samples[0].labels
        #expect(labels.count == 40_001)
        #expect(labels.pairs.map { $0.name } == labels.pairs.map { $0.name }.sorted())
        let error = try #require(Self.failure(Self.wideSample(40_000, duplicateLast: true), .none))
        #expect(error.message == "duplicate label name \"l039999\"" && !error.limitExceeded)
    }

    /// The metric name is the value of `__name__`, so Prometheus holds it to `label_value_length_limit`.
    @Test func aLongMetricNameBreaksTheLabelValueLengthLimit() throws {
        let body = Array("a_rather_long_metric_name 1\n".utf8)
        let error = try #require(Self.failure(body, ExpositionLimits(labelValueLengthLimit: 10)))
        #expect(error.limitExceeded && error.line == 1 && error.column == 1)
        #expect(error.message == "label_value_length_limit exceeded: metric name is 25 bytes long, limit 10")
        #expect(Self.failure(body, ExpositionLimits(labelValueLengthLimit: 25)) == nil)
    }
}
