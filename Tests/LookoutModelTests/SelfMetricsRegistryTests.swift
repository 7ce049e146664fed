import LookoutModel
import Testing

@Suite struct SelfMetricsRegistryTests {
    /// Families come in registration order; registering a component again replaces its source.
    @Test func componentsRegisterAndReplaceTheirFamilies() {
        let registry = SelfMetricsRegistry()
        registry.register("a") { [MetricFamily("a_total", .counter, help: "A.", value: 1)] }
        registry.register("b") { [MetricFamily("b", .gauge, help: "B.", value: 2, labels: ["x": "y"])] }
        registry.register("a") { [MetricFamily("a_total", .counter, help: "A.", value: 3)] }
        let families = registry.collect()
        #expect(families.map(\.metadata.family) == ["a_total", "b"])
        #expect(families[0].samples.map(\.value) == [3])
        #expect(families[1].samples[0].labels == ["__name__": "b", "x": "y"])
    }
}
