import Foundation
import LookoutFormats
import LookoutModel
import Testing

/// Parsing with a `SeriesBytesCache` gives the same samples as parsing without, whether a series is
/// new (parsed in full) or known (found by its bytes), and the same errors.
@Suite struct SeriesBytesCacheTests {
    static let captures: [(String, ExpositionFormat)] = [
        ("node_exporter.prom", .prometheusText), ("prometheus_self.prom", .prometheusText),
        ("python_client.prom", .prometheusText), ("python_client.openmetrics.txt", .openMetrics),
    ]

    @Test(arguments: captures)
    func cachedParsesMatchTheFullParse(_ name: String, _ format: ExpositionFormat) throws {
        let bytes = try TestData.exposition(name)
        let parser = ExpositionParser(format: format)
        let full = try parser.parse(bytes)
        var cache = SeriesBytesCache()
        for round in 0..<2 { // the first parse fills the cache, the second finds every series in it
            let cached = try parser.parse(bytes, cache: &cache)
            #expect(cached.samples.count == full.samples.count, "round \(round)")
            for (c, f) in zip(cached.samples, full.samples) {
                #expect(cache.labels[Int(c.slot)] == f.labels, "round \(round)")
                #expect(c.value.bitPattern == f.value.bitPattern && c.timestamp == f.timestamp)
            }
            #expect(cached.metadata == full.metadata)
        }
        #expect(cache.count == Set(full.samples.map(\.labels)).count)
    }

    /// A line whose series is known still has its value, timestamp and what follows checked, with
    /// the error the full parse gives.
    @Test(arguments: ["a{x=\"1\"} zz\n", "b 1 2 3\n", "a{x=\"1\"}} 1\n", "b 1 # {} 1\n"])
    func knownSeriesStillHaveTheRestOfTheirLineChecked(_ body: String) throws {
        let parser = ExpositionParser(format: .prometheusText)
        var cache = SeriesBytesCache()
        _ = try parser.parse(Array("a{x=\"1\"} 1\nb 2\n".utf8), cache: &cache)
        var full: ExpositionError?
        do { _ = try parser.parse(Array(body.utf8)) } catch { full = error }
        var cached: ExpositionError?
        do { _ = try parser.parse(Array(body.utf8), cache: &cache) } catch { cached = error }
        #expect(full != nil)
        #expect(cached.map { "\($0)" } == full.map { "\($0)" })
        #expect(cache.count == 2, "a failed body added no series")
    }

    @Test func compactKeepsTheChosenSeries() throws {
        let parser = ExpositionParser(format: .prometheusText)
        var cache = SeriesBytesCache()
        _ = try parser.parse(Array("a 1\nb 2\nc 3\n".utf8), cache: &cache)
        let mapping = cache.compact { $0 != 1 }
        #expect(mapping == [0, -1, 1])
        let again = try parser.parse(Array("c 1\nb 2\n".utf8), cache: &cache)
        #expect(again.samples.map(\.slot) == [1, 2])
        #expect(cache.labels.map { $0.name } == ["a", "c", "b"])
    }
}
