import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// The span store: spans are found from the head, from sealed blocks and after a reopen, never
/// twice, and a metric checkpoint in the same data directory keeps them.
@Suite struct TraceStoreTests {
    static func span(_ trace: UInt64, _ id: UInt64, parent: UInt64 = 0, service: String = "checkout", name: String = "GET /",
                     start: UInt64 = 1_700_000_000_000_000_000, duration: UInt64 = 5_000_000, error: Bool = false) -> Span {
        Span(traceID: TraceID(high: 7, low: trace), spanID: SpanID(id), parentSpanID: SpanID(parent), name: name,
             kind: parent == 0 ? .server : .client, startUnixNano: start, endUnixNano: start + duration,
             attributes: [Attribute("http.route", .string("/x/\(trace % 3)")), Attribute("n", .int(Int64(id))),
                          Attribute("ratio", .double(0.5)), Attribute("ok", .bool(!error)),
                          Attribute("nested", .keyValues([Attribute("a", .array([.int(1), .string("b"), .bytes([1, 2])]))]))],
             events: [SpanEvent(timeUnixNano: start + 10, name: "exception", attributes: [Attribute("exception.type", .string("E"))])],
             links: id % 2 == 0 ? [SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3))] : [],
             status: SpanStatus(code: error ? .error : .ok, message: error ? "boom" : ""),
             resource: SpanResource(attributes: [Attribute("service.name", .string(service))]),
             scope: InstrumentationScope(name: "lib", version: "1.0"))
    }

    static func open(_ dir: String, blockSpans: Int = 1000, maxHeadSpans: Int = 200_000) throws -> (DataDirectory, MetricStore, TraceStore) {
        let data = try DataDirectory(path: dir, logger: quietLogger)
        let metrics = try MetricStore(data: data, logger: quietLogger)
        var options = TraceStoreOptions(blockSpans: blockSpans)
        options.maxHeadSpans = maxHeadSpans
        let traces = try TraceStore(data: data, options: options, logger: quietLogger)
        try data.open()
        return (data, metrics, traces)
    }

    static func close(_ stores: (DataDirectory, MetricStore, TraceStore)) throws {
        try stores.1.close()
        try stores.2.close()
        try stores.0.close()
    }

    @Test func columnsKeepEveryStringOfABigTableOnceEach() throws {
        // Enough distinct strings to grow the string table several times, each used twice, and
        // strings of every length around the hash's 8-byte words.
        let values = (0..<3000).map { i in String(repeating: "a", count: i % 19) + "\(i)" }
        let spans = values.enumerated().map { i, v in
            var span = Self.span(UInt64(i / 8), UInt64(i + 1))
            span.name = values[(i * 7) % values.count]
            span.attributes = [Attribute("k\(i % 40)", .string(v)), Attribute("again", .string(v))]
            return span
        }
        var bytes: [UInt8] = []
        SpanColumns.encode(spans, into: &bytes)
        #expect(SpanColumns.decode(bytes) == spans)
        var plain: [UInt8] = []
        SpanColumns.encode(spans.map { var s = $0; s.attributes.removeLast(); return s }, into: &plain)
        #expect(bytes.count - plain.count < spans.count * 6, "a repeated value is a key, a tag and an index, not the string again")
    }

    @Test func columnsRoundTripEveryField() throws {
        let spans = (1...20).map { Self.span($0 / 3, $0, parent: $0 % 3 == 0 ? 0 : $0 - 1, error: $0 % 4 == 0) }
        var bytes: [UInt8] = []
        SpanColumns.encode(spans, into: &bytes)
        #expect(SpanColumns.decode(bytes) == spans)
        #expect(SpanColumns.decode(Array(bytes.dropLast())) == nil)
        let block = SpanBlockFile.encode(spans)
        #expect(try SpanBlockFile.decode(block) == spans)
        #expect(try SpanBlockFile.decode(block) { $0.low == 2 } == spans.filter { $0.traceID.low == 2 })
        var flipped = block
        flipped[flipped.count - 3] ^= 0xff
        #expect(throws: SpanBlockFile.Failure.self) { try SpanBlockFile.decode(flipped) }
    }

    @Test func blocksArePagedByTraceSoALookupReadsOnePage() throws {
        // 3,000 traces of 2 spans: 6,000 spans in pages of about 1,024, no trace split.
        var spans: [Span] = []
        for t in UInt64(1)...3000 {
            spans.append(Self.span(t, t * 2))
            spans.append(Self.span(t, t * 2 + 1, parent: t * 2))
        }
        let block = SpanBlockFile.encode(spans)
        let pages = try SpanBlockFile.directory { offset, count in Array(block[Int(offset)..<Int(offset) + count]) }
        #expect(pages.count == 6 && pages.reduce(0) { $0 + $1.spans } == 6000)
        #expect(zip(pages, pages.dropFirst()).allSatisfy { $0.last < $1.first }, "no trace in two pages")
        let wanted = TraceID(high: 7, low: 2500)
        #expect(pages.filter { $0.mayHold(wanted) }.count == 1)
        #expect(try SpanBlockFile.decode(block) { $0 == wanted }.map(\.spanID.raw).sorted() == [5000, 5001])
        #expect(try SpanBlockFile.decode(block).count == 6000)
        let perSpan = Double(block.count) / 6000
        #expect(perSpan < 40, "\(perSpan) bytes per span")
    }

    @Test func spansAreFoundInTheHeadInBlocksAndAfterReopening() async throws {
        try await withTempDirectory { dir in
            var stores = try Self.open(dir, blockSpans: 10)
            try await stores.2.append(spans: (1...4).map { Self.span(1, $0, parent: $0 == 1 ? 0 : 1) })
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 1)).count == 4, "from the head")
            try await stores.2.append(spans: (5...12).map { Self.span(2, $0) }) // 12 spans: sealed in the background
            try stores.2.sealHead(force: true)
            #expect(try stores.2.index.totals().blocks >= 1)
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 1)).count == 4, "from a block")
            try await stores.2.append(spans: [Self.span(1, 99, parent: 1)]) // the trace now spans a block and the head
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 1)).count == 5)
            try Self.close(stores)

            stores = try Self.open(dir, blockSpans: 10)
            let trace = try stores.2.spans(of: TraceID(high: 7, low: 1))
            #expect(trace.count == 5 && Set(trace.map(\.spanID.raw)) == [1, 2, 3, 4, 99])
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 2)).count == 8)
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 3)).isEmpty)
            try Self.close(stores)
        }
    }

    @Test func aSealedHeadIsNotReplayedAgainAndUnsealedSpansSurviveAMetricCheckpoint() async throws {
        try await withTempDirectory { dir in
            var stores = try Self.open(dir)
            try await stores.2.append(spans: [Self.span(1, 1)])
            try stores.2.sealHead(force: true)
            try await stores.2.append(spans: [Self.span(2, 2)])
            try stores.0.checkpoint() // as the metric store does after writing a partition
            // Crash: nothing closed, so nothing sealed at close.
            stores.0.abandon()

            stores = try Self.open(dir)
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 1)).count == 1, "sealed, not replayed twice")
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 2)).count == 1, "kept by the checkpoint")
            try Self.close(stores)
        }
    }

    @Test func aBlockTheIndexNeverTookIsDeletedAndItsSpansReplayed() async throws {
        try await withTempDirectory { dir in
            var stores = try Self.open(dir)
            try await stores.2.append(spans: [Self.span(1, 1)])
            stores.0.abandon()
            // As if a seal crashed between the block file and its index transaction.
            try Data(SpanBlockFile.encode([Self.span(1, 1)])).write(to: URL(fileURLWithPath: dir + "/traces/" + SpanBlockFile.name(1)))
            stores = try Self.open(dir)
            #expect(!FileManager.default.fileExists(atPath: dir + "/traces/" + SpanBlockFile.name(1)))
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 1)).count == 1)
            try Self.close(stores)
        }
    }

    @Test func candidatesServicesOperationsAndTagsComeFromTheHeadAndTheIndex() async throws {
        try await withTempDirectory { dir in
            let stores = try Self.open(dir)
            let t0: UInt64 = 1_700_000_000_000_000_000
            try await stores.2.append(spans: [Self.span(1, 1, start: t0, duration: 1_000_000),
                                              Self.span(2, 2, service: "billing", name: "charge", start: t0 + 10_000, duration: 900_000_000)])
            try stores.2.sealHead(force: true)
            try await stores.2.append(spans: [Self.span(3, 3, start: t0 + 20_000, duration: 200_000_000)])
            #expect(try stores.2.services() == ["billing", "checkout"])
            #expect(try stores.2.operations(service: "billing").map(\.name) == ["charge"])
            let slow = try stores.2.candidateTraces(SpanIndexFilter(minDurationNano: 100_000_000))
            #expect(slow.map(\.trace.low) == [3, 2], "newest first, from the head and a block")
            #expect(try stores.2.candidateTraces(SpanIndexFilter(service: "checkout")).map(\.trace.low) == [3, 1])
            // The index keeps times in µs, so ranges are µs apart here.
            #expect(try stores.2.candidateTraces(SpanIndexFilter(startUnixNano: t0 + 5_000, endUnixNano: t0 + 15_000)).map(\.trace.low) == [2])
            let keys = try stores.2.attributeKeys().map { "\($0.scope).\($0.key)" }
            #expect(keys.contains("resource.service.name") && keys.contains("span.http.route"))
            #expect(try stores.2.attributeValues(scope: .span, key: "http.route") == [.string("/x/0"), .string("/x/1"), .string("/x/2")])
            try Self.close(stores)
        }
    }

    @Test func aHeadThatCannotBeSealedRefusesAppendsInsteadOfGrowing() async throws {
        try await withTempDirectory { dir in
            let stores = try Self.open(dir, blockSpans: 10, maxHeadSpans: 30)
            FileIO.faults.inject(dir + "/traces/", errno: ENOSPC)
            var accepted: [UInt64] = []
            var refused: StorageError?
            for t in UInt64(1)...10 {
                do {
                    try await stores.2.append(spans: (0..<5).map { Self.span(t, t * 10 + $0) })
                    accepted.append(t)
                } catch let error as StorageError {
                    refused = error
                    break
                }
            }
            #expect(throws: StorageError.self) { try stores.2.sealHead(force: true) }
            #expect(accepted.count == 6, "30 spans held, the 7th batch refused")
            #expect(refused?.code == .busy)
            #expect(stores.2.isBusy, "an ingest path can refuse before decoding")
            FileIO.faults.clear(dir + "/traces/")
            try stores.2.sealHead(force: true) // the part that failed
            try stores.2.sealHead(force: true) // what came after
            #expect(!stores.2.isBusy)
            try await stores.2.append(spans: [Self.span(99, 990)])
            for t in accepted { #expect(try stores.2.spans(of: TraceID(high: 7, low: t)).count == 5) }
            try Self.close(stores)
        }
    }

    @Test func aBatchLoggedWhileACheckpointIsTakenIsReplayedOnce() async throws {
        try await withTempDirectory { dir in
            var stores = try Self.open(dir)
            try await stores.2.append(spans: [Self.span(1, 1)])
            let traces = stores.2
            // Between the rotation and the snapshot: the batch lands in the new segment and in the checkpoint.
            stores.0.checkpointStep = { step in
                if step == .rotated {
                    let batch = [Self.span(2, 2)]
                    _ = try traces.apply(batch, columns: TraceStore.columns(batch))
                }
            }
            try stores.0.checkpoint()
            stores.0.checkpointStep = nil
            try stores.0.wal.flush(fsync: true)
            stores.0.abandon() // a crash
            stores = try Self.open(dir)
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 2)).count == 1)
            try stores.2.sealHead(force: true)
            #expect(try stores.2.index.totals().spans == 2, "no span twice in a block")
            try Self.close(stores)
        }
    }

    @Test func aTraceWhoseSpansStraddleTheSearchRangeIsACandidate() async throws {
        try await withTempDirectory { dir in
            let stores = try Self.open(dir)
            let t0: UInt64 = 1_700_000_000_000_000_000, minute: UInt64 = 60_000_000_000
            // One operation repeated from t0 to t0 + 30 min in one trace.
            try await stores.2.append(spans: (0...30).map { Self.span(1, UInt64($0) + 1, start: t0 + UInt64($0) * minute) })
            try stores.2.sealHead(force: true)
            let found = try stores.2.candidateTraces(SpanIndexFilter(startUnixNano: t0 + 20 * minute, endUnixNano: t0 + 40 * minute))
            #expect(found.map(\.trace.low) == [1])
            #expect(try stores.2.candidateTraces(SpanIndexFilter(startUnixNano: t0 + 31 * minute, endUnixNano: t0 + 40 * minute)).isEmpty)
            try Self.close(stores)
        }
    }

    @Test func retentionDeletesWholeOldBlocks() async throws {
        try await withTempDirectory { dir in
            let stores = try Self.open(dir)
            try await stores.2.append(spans: [Self.span(1, 1, start: 1_000_000_000_000)]) // 1,000 s after the epoch
            try stores.2.sealHead(force: true)
            try await stores.2.append(spans: [Self.span(2, 2)])
            try stores.2.sealHead(force: true)
            try stores.2.enforceRetention(now: 1_700_000_000_000)
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 1)).isEmpty)
            #expect(try stores.2.spans(of: TraceID(high: 7, low: 2)).count == 1)
            #expect(try stores.2.index.totals().blocks == 1)
            try Self.close(stores)
        }
    }
}

/// Exemplars: durable through the WAL, and bounded by evicting the oldest-stored first.
@Suite struct ExemplarStoreTests {
    static func exemplar(_ series: Int, _ t: Int64) -> SeriesExemplar {
        SeriesExemplar(series: ["__name__": "lat_bucket", "le": "\(series)"], labels: ["trace_id": "t\(t)"], value: 1, timestampMs: t)
    }

    @Test func newSeriesDisplaceTheOldestAndWhatIsHeldSurvivesARestart() throws {
        try withTempDirectory { dir in
            do {
                let data = try DataDirectory(path: dir, logger: quietLogger)
                let store = try ExemplarStore(data: data, perSeries: 2, maxExemplars: 5)
                try data.open()
                for i in 0..<10 { try store.record([Self.exemplar(i, Int64(i))]) } // ten series come and go
                for t in 100..<110 { try store.record([Self.exemplar(42, Int64(t))]) } // one series, many
                let held = store.query(start: 0, end: 1000) { _ in true }
                #expect(held.reduce(0) { $0 + $1.exemplars.count } == 5)
                #expect(held.first { $0.series["le"] == "42" }?.exemplars.map(\.timestampMs) == [108, 109])
                #expect(held.contains { $0.series["le"] == "9" } && !held.contains { $0.series["le"] == "0" })
                try data.close()
            }
            let data = try DataDirectory(path: dir, logger: quietLogger)
            let store = try ExemplarStore(data: data, perSeries: 2, maxExemplars: 5)
            try data.open()
            #expect(store.query(start: 0, end: 1000) { _ in true }.reduce(0) { $0 + $1.exemplars.count } == 5)
            try data.close()
        }
    }
}
