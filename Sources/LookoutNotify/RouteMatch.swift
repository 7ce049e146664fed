import LookoutModel

/// A route of the tree with its inherited settings filled in: where a matching alert goes and how
/// its group is timed.
public struct ResolvedRoute: Sendable {
    /// Alertmanager's route key: `{}` for the root, `{}/{matchers}/index` below it.
    public var key: String
    public var receiver: String
    /// nil: group by every label (`...`).
    public var groupBy: [String]?
    public var groupWait: Int64
    public var groupInterval: Int64
    public var repeatInterval: Int64
    public var muteTimeIntervals: [String]
    public var activeTimeIntervals: [String]

    /// The labels of `labels` this route groups by.
    public func groupLabels(_ labels: Labels) -> Labels {
        guard let groupBy else { return labels }
        return labels.keeping(Set(groupBy))
    }
}

extension Route {
    /// The routes an alert with `labels` goes to, as Alertmanager's `Route.Match`: depth first,
    /// the first matching child unless it has `continue`, the node itself when no child matches.
    public func match(_ labels: Labels) -> [ResolvedRoute] {
        let root = ResolvedRoute(key: "{}", receiver: receiver ?? "", groupBy: groupBy == ["..."] ? nil : (groupBy ?? []),
                                 groupWait: groupWait ?? 30_000, groupInterval: groupInterval ?? 300_000,
                                 repeatInterval: repeatInterval ?? 14_400_000, muteTimeIntervals: [], activeTimeIntervals: [])
        return match(labels, resolved: root)
    }

    private func match(_ labels: Labels, resolved: ResolvedRoute) -> [ResolvedRoute] {
        guard matchers.matches(labels) else { return [] }
        var all: [ResolvedRoute] = []
        for (index, child) in routes.enumerated() {
            var inherited = resolved
            inherited.key = resolved.key + "/{" + child.matchers.map(\.description).joined(separator: ",") + "}/\(index)"
            if let r = child.receiver { inherited.receiver = r }
            if let g = child.groupBy { inherited.groupBy = g == ["..."] ? nil : g }
            if let w = child.groupWait { inherited.groupWait = w }
            if let i = child.groupInterval { inherited.groupInterval = i }
            if let r = child.repeatInterval { inherited.repeatInterval = r }
            inherited.muteTimeIntervals = child.muteTimeIntervals
            inherited.activeTimeIntervals = child.activeTimeIntervals
            let matches = child.match(labels, resolved: inherited)
            all += matches
            if !matches.isEmpty && !child.continue { break }
        }
        return all.isEmpty ? [resolved] : all
    }
}
