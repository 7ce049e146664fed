import Synchronization

/// Where each component of a running Lookout registers the metric families it reports about
/// itself (storage, scraping, HTTP, …); `/metrics` renders them all, in the order the components
/// registered, so a new component adds its families without touching a central list.
public final class SelfMetricsRegistry: Sendable {
    private let collectors = Mutex<[(component: String, collect: @Sendable () -> [MetricFamily])]>([])

    public init() {}

    /// Registers (or, for a component already registered, replaces) a source of families.
    public func register(_ component: String, _ collect: @escaping @Sendable () -> [MetricFamily]) {
        collectors.withLock { list in
            if let i = list.firstIndex(where: { $0.component == component }) {
                list[i].collect = collect
            } else {
                list.append((component, collect))
            }
        }
    }

    /// Every registered family, collected now.
    public func collect() -> [MetricFamily] {
        collectors.withLock { $0 }.flatMap { $0.collect() }
    }
}
