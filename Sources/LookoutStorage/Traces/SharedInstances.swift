import LookoutModel
import Synchronization

/// One instance per distinct resource and scope across requests, so that a block's spans — which
/// come from many requests — are told apart by identity when a block is encoded, and a head holds
/// each distinct resource once. Bounded: forgets everything past `capacity` entries.
final class SharedInstances: Sendable {
    private struct Tables {
        var resources: [SpanResource: SpanResource] = [:]
        var scopes: [InstrumentationScope: InstrumentationScope] = [:]
    }

    private let tables = Mutex(Tables())
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// `spans` with each resource and scope replaced by the shared instance equal to it; a request's
    /// spans share their instances already, so each distinct one is hashed once.
    func share(_ spans: inout [Span]) {
        var resources: [ObjectIdentifier: SpanResource] = [:]
        var scopes: [ObjectIdentifier: InstrumentationScope] = [:]
        tables.withLock { t in
            if t.resources.count + t.scopes.count > capacity { t = Tables() }
            for i in spans.indices {
                let r = spans[i].resource, c = spans[i].scope
                let sharedResource = resources[ObjectIdentifier(r)] ?? {
                    let shared = t.resources[r] ?? r
                    t.resources[r] = shared
                    resources[ObjectIdentifier(r)] = shared
                    return shared
                }()
                let sharedScope = scopes[ObjectIdentifier(c)] ?? {
                    let shared = t.scopes[c] ?? c
                    t.scopes[c] = shared
                    scopes[ObjectIdentifier(c)] = shared
                    return shared
                }()
                if sharedResource !== r { spans[i].resource = sharedResource }
                if sharedScope !== c { spans[i].scope = sharedScope }
            }
        }
    }
}
