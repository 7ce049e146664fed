import LookoutModel
import Synchronization

/// The scrape manager's shared view of targets and metric metadata, read by the HTTP API.
///
/// Metadata is kept per target as its last good scrape reported it (one array assignment per
/// scrape) and merged by family when read, so a family or target that goes away goes from
/// `metadata` too.
public final class ScrapeRegistry: Sendable {
    private struct State {
        var health: [String: TargetHealth] = [:]
        var metadata: [String: [MetricMetadata]] = [:]
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
            state.metadata = state.metadata.filter { next[$0.key] != nil }
        }
    }

    /// Records a scrape's outcome; `metadata` (nil after a failed scrape, which keeps the last)
    /// replaces the target's.
    func update(_ target: ScrapeTarget, metadata: [MetricMetadata]?, _ change: (inout TargetHealth) -> Void) {
        let key = Self.key(target)
        state.withLock { state in
            guard var health = state.health[key] else { return }
            change(&health)
            state.health[key] = health
            if let metadata { state.metadata[key] = metadata }
        }
    }

    /// Every active target, sorted by job then URL.
    public var targets: [TargetHealth] {
        state.withLock { Array($0.health.values) }.sorted {
            ($0.target.job, $0.target.url) < ($1.target.job, $1.target.url)
        }
    }

    /// HELP/TYPE/UNIT of every family the active targets' last good scrapes reported, by family
    /// name (where targets disagree, the target first by job and URL wins).
    public var metadata: [String: MetricMetadata] {
        let perTarget = state.withLock { $0.metadata }
        var merged: [String: MetricMetadata] = [:]
        for key in perTarget.keys.sorted().reversed() {
            for item in perTarget[key]! { merged[item.family] = item }
        }
        return merged
    }

    static func key(_ target: ScrapeTarget) -> String { target.job + "\u{0}" + target.url }
}
