import LookoutModel
import Synchronization

/// Storage faults of one data directory, as `/metrics` and readiness show them: a count of failed
/// operations by kind, and the WAL's write failure while it lasts. Every store of the directory
/// records into the same one.
public final class StorageHealth: Sendable {
    /// What failed, the `op` label of `lookout_storage_errors_total`.
    public enum Operation: String, Sendable, CaseIterable {
        case walWrite = "wal_write"
        case walRecovery = "wal_recovery"
        case indexWrite = "index_write"
        case partitionWrite = "partition_write"
        case partitionRead = "partition_read"
        case checkpoint
        case retention
    }

    private struct State {
        var errors: [Operation: Int] = [:]
        /// Why the WAL refuses writes, until it has recovered.
        var walFault: String?
    }

    private let state = Mutex(State())

    public init() {}

    /// Counts one failure of `op`.
    public func record(_ op: Operation) {
        state.withLock { $0.errors[op, default: 0] += 1 }
    }

    /// Failures of `op` so far.
    public func errors(_ op: Operation) -> Int {
        state.withLock { $0.errors[op] ?? 0 }
    }

    /// Why appends fail now (the WAL's write failure), or nil while storage is writable.
    public var writeFault: String? { state.withLock { $0.walFault } }

    func setWALFault(_ fault: String?) {
        state.withLock { $0.walFault = fault }
    }

    /// `lookout_storage_errors_total{op}` (every op, zeros included) and `lookout_storage_writable`.
    public func families() -> [MetricFamily] {
        let (errors, fault) = state.withLock { ($0.errors, $0.walFault) }
        return [
            MetricFamily("lookout_storage_errors_total", .counter, help: "Failed storage operations, by operation.",
                         samples: Operation.allCases.map { op in
                             (["__name__": "lookout_storage_errors_total", "op": op.rawValue], Double(errors[op] ?? 0))
                         }),
            MetricFamily("lookout_storage_writable", .gauge,
                         help: "1 while the WAL accepts writes; 0 after a write failed, until it recovers.",
                         value: fault == nil ? 1 : 0),
        ]
    }
}
