import LookoutModel
import Testing
@testable import LookoutScrape

@Suite struct ScrapeRegistryTests {
    static func target(_ address: String) -> ScrapeTarget {
        ScrapeTarget(address: address, group: TargetGroup(targets: [address]), config: ScrapeConfig(jobName: "api"))
    }

    /// Metadata follows the targets' last good scrapes: a family or a target that goes away takes
    /// its metadata with it; a failed scrape keeps the last.
    @Test func metadataIsPrunedWithItsFamiliesAndTargets() {
        let registry = ScrapeRegistry()
        let a = Self.target("a:1"), b = Self.target("b:1")
        registry.setTargets([a, b])
        registry.update(a, metadata: [MetricMetadata(family: "x", type: .counter), MetricMetadata(family: "y")]) { _ in }
        registry.update(b, metadata: [MetricMetadata(family: "z", type: .gauge)]) { _ in }
        #expect(Set(registry.metadata.keys) == ["x", "y", "z"])
        registry.update(a, metadata: [MetricMetadata(family: "x", type: .counter)]) { _ in }
        registry.update(b, metadata: nil) { $0.lastError = "down" }
        #expect(Set(registry.metadata.keys) == ["x", "z"])
        registry.setTargets([a])
        #expect(Set(registry.metadata.keys) == ["x"])
    }
}
