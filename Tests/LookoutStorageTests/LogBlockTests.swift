import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// Sealed log blocks: pages round-trip their lines, a damaged page is refused, the trigram filter
/// never drops a page that holds a needle, and the store answers from blocks and head alike, across
/// a reopen, a crash between block and index, and retention.
@Suite struct LogBlockTests {
    typealias T = LogStoreTests

    @Test func pagesRoundTripAndADamagedPageIsRefused() throws {
        let api: [LogRecord] = (0..<5000).map { T.line("api", Int64($0), "request \($0) done") }
        let db: [LogRecord] = [T.line("db", 3, "slow query", level: .warn)]
        let (bytes, pages) = LogBlockFile.encode([(api[0].labels, api), (db[0].labels, db)])
        #expect(pages.count == 3, "5000 lines of api make two pages of at most 4096")
        #expect(try LogBlockFile.directory(bytes).map(\.lines) == [4096, 904, 1])
        var back: [LogRecord] = []
        for p in pages {
            let address = LogPageAddress(block: 1, offset: p.offset, length: p.length, rawLength: p.rawLength, crc: p.crc)
            back += try LogBlockFile.decode(address, payload: Array(bytes[Int(p.offset)..<Int(p.offset) + p.length]), labels: p.labels)
        }
        #expect(back == api + db)
        #expect(pages[0].length * 5 < pages[0].rawLength, "similar lines compress")
        var damaged = bytes
        damaged[Int(pages[2].offset)] ^= 0xFF
        let p = pages[2]
        #expect(throws: LogBlockFile.Failure.self) {
            try LogBlockFile.decode(LogPageAddress(block: 1, offset: p.offset, length: p.length, rawLength: p.rawLength, crc: p.crc),
                                    payload: Array(damaged[Int(p.offset)..<Int(p.offset) + p.length]), labels: p.labels)
        }
    }

    @Test func theTrigramFilterKeepsEveryPageHoldingANeedle() {
        var builder = TrigramBloom.Builder()
        let lines = (0..<4000).map { "GET /api/orders/\($0) took \($0 % 97)ms trace=\(String($0 * 7919, radix: 16))" }
        for l in lines { builder.add(l) }
        let filter = builder.finish()
        for l in lines.prefix(500) {
            let words = l.split(separator: " ")
            for w in words { #expect(TrigramBloom.mayContain(filter, String(w))) }
            #expect(TrigramBloom.mayContain(filter, String(l.dropFirst(3).prefix(17))))
        }
        #expect(TrigramBloom.mayContain(filter, "ab"), "too short to judge")
        let absent = (0..<200).filter { TrigramBloom.mayContain(filter, "req-\($0)-zqxjkv-\($0 * 31)") }
        #expect(absent.count < 5, "needles with foreign trigrams are almost all refused: \(absent.count) of 200 passed")
        #expect(filter.count <= 1 + TrigramBloom.maxBits / 8)
        // The builder resets: a second page knows nothing of the first.
        builder.add("completely different")
        #expect(!TrigramBloom.mayContain(builder.finish(), "orders"))
    }

    @Test func queriesReadBlocksAndHeadAndSkipPagesByFilter() async throws {
        try await withTempDirectory { dir in
            var stores = try T.open(dir)
            _ = try await stores.2.append((0..<10).map { T.line("api", $0, "request \($0) ok") })
            try stores.2.sealHead(force: true)
            _ = try await stores.2.append([T.line("api", 20, "request needle-7f3a9c failed")])
            try stores.2.sealHead(force: true)
            _ = try await stores.2.append([T.line("api", 15, "late line"), T.line("api", 30, "in the head")])
            #expect(try T.lines(stores.2, "api") == (0..<10).map { "request \($0) ok" } + ["late line", "request needle-7f3a9c failed", "in the head"])
            let api = [LabelMatcher.equal("service", "api")]
            let all = try stores.2.chunks(api, startNs: 0, endNs: .max, mustContain: [])
            #expect(all.count == 3, "two pages and the head")
            let needle = try stores.2.chunks(api, startNs: 0, endNs: .max, mustContain: ["needle-7f3a9c"])
            #expect(needle.map(\.lineCount) == [1, 2], "the page without the needle is skipped; the head is always read")
            let skipped = stores.2.selfMetrics().first(where: { $0.metadata.family == "lookout_log_pages_skipped_total" })
            #expect(skipped?.samples.first?.value == 1)
            let range = try stores.2.chunks(api, startNs: T.t0 + 12 * T.minute, endNs: T.t0 + 25 * T.minute, mustContain: [])
            #expect(range.map(\.lineCount) == [1, 1], "the first page ends before the range")
            try T.close(stores)
            // A block file no index transaction took (a crash between the two) is deleted on open.
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/logs/00000099.logs"))
            stores = try T.open(dir)
            #expect(!FileManager.default.fileExists(atPath: dir + "/logs/00000099.logs"))
            #expect(try T.lines(stores.2, "api").count == 13, "nothing replayed twice, nothing lost")
            #expect(stores.2.labelValues("service", startNs: 0, endNs: .max) == ["api"])
            try T.close(stores)
        }
    }

    @Test func retentionDeletesWholeBlocksAndForgetsEmptyStreams() async throws {
        try await withTempDirectory { dir in
            let stores = try T.open(dir) { $0.retention = 60_000 }
            _ = try await stores.2.append([T.line("old", 0, "gone soon")])
            try stores.2.sealHead(force: true)
            _ = try await stores.2.append([T.line("new", 10, "stays")])
            try stores.2.sealHead(force: true)
            let now = (T.t0 + 5 * T.minute) / 1_000_000
            try stores.2.enforceRetention(now: now)
            #expect(try T.lines(stores.2, "old").isEmpty)
            #expect(try T.lines(stores.2, "new") == ["stays"])
            #expect(stores.2.labelValues("service", startNs: 0, endNs: .max) == ["new"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/logs").sorted() == ["00000002.logs"])
            try T.close(stores)
        }
    }
}
