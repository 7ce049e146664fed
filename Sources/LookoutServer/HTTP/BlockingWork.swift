import Foundation
import Synchronization

/// Runs synchronous, possibly long work (PromQL evaluation, index reads) on a small pool of
/// long-lived threads with 16 MiB stacks, so slow queries never occupy the few threads of Swift's
/// cooperative pool that scrapes, probes and WAL acknowledgements need, and the deepest expression
/// the parser accepts (256 levels) evaluates with room to spare even in a debug build.
enum BlockingWork {
    static let stackSize = 16 << 20
    static let pool = WorkerPool(threads: max(2, ProcessInfo.processInfo.activeProcessorCount), stackSize: stackSize)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pool.submit {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}

/// A fixed set of threads taking jobs from one FIFO queue.
///
/// Thread-safety: the queue is guarded by `condition`; jobs are `@Sendable`.
final class WorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    /// Taken jobs are set to nil at once, so what they captured is freed while the queue is busy.
    private var jobs: [(@Sendable () -> Void)?] = []
    private var head = 0

    init(threads: Int, stackSize: Int) {
        for index in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.stackSize = stackSize
            thread.name = "lookout-query-\(index)"
            thread.start()
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]!
            jobs[head] = nil
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
