import Synchronization

/// Draws WAL replay progress on a terminal while `lookout serve` starts.
final class ReplayProgress: Sendable {
    private let bar: Mutex<ProgressBar?> = Mutex(nil)

    func update(done: Int64, total: Int64) {
        bar.withLock { bar in
            if bar == nil { bar = ProgressBar(label: "replaying WAL", total: total) }
            bar?.update(done)
            if done >= total { bar?.finish() }
        }
    }
}
