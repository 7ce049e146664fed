import Dispatch

/// Runs synchronous, possibly long work (PromQL evaluation, index reads) on a Dispatch thread, so
/// slow queries never occupy the few threads of Swift's cooperative pool that scrapes, probes and
/// WAL acknowledgements need.
enum BlockingWork {
    static let queue = DispatchQueue(label: "lookout.queries", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
