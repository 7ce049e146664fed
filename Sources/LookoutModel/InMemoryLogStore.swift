import Synchronization

/// A `LogQuerier` over lines held in memory, for tests of the LogQL engine: one chunk per stream,
/// its lines in time order (arrival order among equal times). It skips no chunk by `mustContain`.
public final class InMemoryLogStore: LogQuerier {
    private let records = Mutex<[LogRecord]>([])

    public init(_ records: [LogRecord] = []) {
        self.records.withLock { $0 = records }
    }

    public func add(_ batch: [LogRecord]) {
        records.withLock { $0 += batch }
    }

    public func chunks(_ matchers: [LabelMatcher], startNs: Int64, endNs: Int64, mustContain: [String]) throws -> [LogChunk] {
        let all = records.withLock { $0 }
        var byStream: [Labels: [LogRecord]] = [:]
        for r in all where r.timestampNs >= startNs && r.timestampNs <= endNs && matchers.allSatisfy({ $0.matches(r.labels) }) {
            byStream[r.labels, default: []].append(r)
        }
        return byStream.sorted { $0.key < $1.key }.map { labels, lines in
            let sorted = lines.enumerated().sorted { ($0.element.timestampNs, $0.offset) < ($1.element.timestampNs, $1.offset) }.map(\.element)
            return LogChunk(labels: labels, minTimeNs: sorted.first!.timestampNs, maxTimeNs: sorted.last!.timestampNs,
                            lineCount: sorted.count, byteCount: sorted.reduce(0) { $0 + $1.line.utf8.count }, source: .memory(sorted))
        }
    }

    public func lines(of chunk: LogChunk) throws -> [LogRecord] {
        if case .memory(let lines) = chunk.source { return lines }
        return []
    }

    public func streams(_ matchers: [LabelMatcher], startNs: Int64, endNs: Int64) throws -> [Labels] {
        Set(records.withLock { $0 }.filter { r in r.timestampNs >= startNs && r.timestampNs <= endNs && matchers.allSatisfy { $0.matches(r.labels) } }
            .map(\.labels)).sorted()
    }

    public func labelNames(startNs: Int64, endNs: Int64) throws -> [String] {
        Set(records.withLock { $0 }.filter { $0.timestampNs >= startNs && $0.timestampNs <= endNs }.flatMap { $0.labels.map(\.name) }).sorted()
    }

    public func labelValues(_ name: String, startNs: Int64, endNs: Int64) throws -> [String] {
        Set(records.withLock { $0 }.filter { $0.timestampNs >= startNs && $0.timestampNs <= endNs }.compactMap { $0.labels[name] }).sorted()
    }
}
