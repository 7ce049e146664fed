import Foundation

/// Runs synchronous, possibly long work (PromQL evaluation, index reads) on a thread of its own
/// with a 16 MiB stack, so slow queries never occupy the few threads of Swift's cooperative pool
/// that scrapes, probes and WAL acknowledgements need, and the deepest expression the parser
/// accepts (256 levels) evaluates with room to spare even in a debug build.
enum BlockingWork {
    static let stackSize = 16 << 20

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.stackSize = stackSize
            thread.start()
        }
    }
}
