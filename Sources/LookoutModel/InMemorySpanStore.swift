import Synchronization

/// The in-memory fake of a span store for tests: `SpanStorage` over a plain array, answering the
/// index questions by scanning every span.
public final class InMemorySpanStore: SpanStorage {
    private let stored = Mutex<[Span]>([])

    public init(_ spans: [Span] = []) { stored.withLock { $0 = spans } }

    public func append(spans: [Span]) async throws { stored.withLock { $0 += spans } }

    public func enforceRetention(now: Int64) throws {
        let cutoff = UInt64(max(0, now)) * 1_000_000
        stored.withLock { $0.removeAll { $0.startUnixNano < cutoff } }
    }

    public func spans(of trace: TraceID) throws -> [Span] { stored.withLock { $0.filter { $0.traceID == trace } } }

    public func candidateTraces(_ filter: SpanIndexFilter) throws -> [(trace: TraceID, startUnixNano: UInt64)] {
        var earliest: [TraceID: UInt64] = [:]
        for s in stored.withLock({ $0 }) where filter.admits(s) {
            earliest[s.traceID] = min(earliest[s.traceID] ?? .max, s.startUnixNano)
        }
        let newestFirst = earliest.sorted { ($0.value, $0.key) > ($1.value, $1.key) }.map { (trace: $0.key, startUnixNano: $0.value) }
        return filter.limit.map { Array(newestFirst.prefix($0)) } ?? newestFirst
    }

    public func services() throws -> [String] { Set(stored.withLock { $0.map(\.serviceName) }).sorted() }

    public func operations(service: String) throws -> [(name: String, kind: SpanKind)] {
        let pairs = Set(stored.withLock { $0.filter { $0.serviceName == service }.map { OperationKey(name: $0.name, kind: $0.kind) } })
        return pairs.sorted { ($0.name, $0.kind.rawValue) < ($1.name, $1.kind.rawValue) }.map { ($0.name, $0.kind) }
    }

    public func attributeKeys() throws -> [(scope: SpanAttributeScope, key: String)] {
        var keys = Set<ScopedKey>()
        for s in stored.withLock({ $0 }) {
            for a in s.resource.attributes { keys.insert(ScopedKey(scope: .resource, key: a.key)) }
            for a in s.attributes { keys.insert(ScopedKey(scope: .span, key: a.key)) }
        }
        return keys.sorted { ($0.scope.rawValue, $0.key) < ($1.scope.rawValue, $1.key) }.map { ($0.scope, $0.key) }
    }

    public func attributeValues(scope: SpanAttributeScope?, key: String) throws -> [AttributeValue] {
        var values = Set<AttributeValue>()
        for s in stored.withLock({ $0 }) {
            if scope != .span, let v = s.resource.attributes[key] { values.insert(v) }
            if scope != .resource, let v = s.attributes[key] { values.insert(v) }
        }
        return values.sorted { $0.text < $1.text }
    }

    private struct OperationKey: Hashable {
        var name: String
        var kind: SpanKind
    }

    private struct ScopedKey: Hashable {
        var scope: SpanAttributeScope
        var key: String
    }
}
