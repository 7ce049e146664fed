import LookoutModel
import Synchronization

/// The scrape manager's shared view of targets and metric metadata, read by the HTTP API.
public final class ScrapeRegistry: Sendable {
    private struct State {
        var health: [String: TargetHealth] = [:]
        var metadata: [String: MetricMetadata] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    func setTargets(_ targets: [ScrapeTarget]) {
        state.withLock { state in
            var next: [String: TargetHealth] = [:]
            for target in targets {
                next[Self.key(target)] = state.health[Self.key(target)] ?? TargetHealth(target: target)
            }
            state.health = next
        }
    }

    func update(_ target: ScrapeTarget, metadata: [MetricMetadata], _ change: (inout TargetHealth) -> Void) {
        state.withLock { state in
            guard var health = state.health[Self.key(target)] else { return }
            change(&health)
            state.health[Self.key(target)] = health
            for item in metadata { state.metadata[item.family] = item }
        }
    }

    /// Every active target, sorted by job then URL.
    public var targets: [TargetHealth] {
        state.withLock { Array($0.health.values) }.sorted {
            ($0.target.job, $0.target.url) < ($1.target.job, $1.target.url)
        }
    }

    /// HELP/TYPE/UNIT of every family seen in a scrape, by family name.
    public var metadata: [String: MetricMetadata] {
        state.withLock { $0.metadata }
    }

    static func key(_ target: ScrapeTarget) -> String { target.job + "\u{0}" + target.url }
}
