import Synchronization

/// The request body bytes held across all connections, against `server.max_inflight_bytes`: a
/// reservation is taken before bytes are kept and given back once they are parsed or dropped, so
/// many slow or hostile uploads cannot make memory grow without bound.
final class InflightBytes: Sendable {
    let limit: Int
    private let held = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes `count` bytes of the budget; false (taking nothing) when that would pass the limit.
    func reserve(_ count: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while true {
            guard current + count <= limit else { return false }
            let (exchanged, original) = held.compareExchange(expected: current, desired: current + count, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ count: Int) {
        guard count > 0 else { return }
        held.subtract(count, ordering: .relaxed)
    }

    /// Bytes held now.
    var current: Int { held.load(ordering: .relaxed) }
}
