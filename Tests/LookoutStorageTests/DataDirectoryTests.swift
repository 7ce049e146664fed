import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// The data directory's one WAL shared by several stores: replay by record type, checkpoints that keep
/// every participant's records, and the index schema's migrations.
@Suite struct DataDirectoryTests {
    /// Small partitions, so appends a few seconds apart write partitions and so checkpoint.
    static let small = StorageOptions(retention: .max / 4, partitionDuration: 10_000, partitionGrace: 5_000)

    struct SimulatedCrash: Error {}

    /// Opens a data directory with the metric store and, if `notes`, the note store.
    static func open(_ dir: String, notes: Bool = true) throws -> (DataDirectory, MetricStore, NoteStore?) {
        let data = try DataDirectory(path: dir, logger: quietLogger)
        let metrics = try MetricStore(data: data, options: small, logger: quietLogger)
        let noteStore = notes ? try NoteStore(data: data) : nil
        try data.open()
        return (data, metrics, noteStore)
    }

    @Test func aSecondParticipantKeepsItsRecordsThroughMetricCheckpoints() async throws {
        try await withTempDirectory { dir in
            var expectedNotes: Set<String> = []
            do {
                let (_, metrics, notes) = try Self.open(dir)
                for i in 0..<4 {
                    try await notes!.add("note-\(i)")
                    expectedNotes.insert("note-\(i)")
                }
                // 60 s of samples: several partitions are written, each followed by a checkpoint
                // that deletes the segments holding the notes.
                for t in stride(from: Int64(0), to: 60_000, by: 1000) {
                    _ = try metrics.appendSync(batch(series("m"), [(t, Double(t))]))
                }
                #expect(metrics.stats.checkpoints >= 3)
                try await notes!.add("note-late")
                expectedNotes.insert("note-late")
                metrics.waitForBackgroundWork()
                // No close(): the process dies here.
            }
            do {
                let (data, metrics, notes) = try Self.open(dir)
                #expect(notes!.all == expectedNotes)
                #expect(try metrics.select([.equal("__name__", "m")], start: .min, end: .max).first?.samples.count == 60)
                try metrics.close()
                try data.close()
            }
            // Opened by a process that knows only metrics (as `lookout import`), which checkpoints:
            // the notes are carried through as they are.
            do {
                let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
                for t in stride(from: Int64(60_000), to: 100_000, by: 1000) {
                    _ = try store.appendSync(batch(series("m"), [(t, Double(t))]))
                }
                #expect(store.stats.checkpoints >= 2)
                try store.close()
            }
            let (data, metrics, notes) = try Self.open(dir)
            #expect(notes!.all == expectedNotes)
            #expect(try metrics.select([.equal("__name__", "m")], start: .min, end: .max).first?.samples.count == 100)
            try metrics.close()
            try data.close()
        }
    }

    @Test(arguments: [DataDirectory.CheckpointStep.rotated, .written, .oldSegmentsDeleted])
    func aCheckpointInterruptedAtAnyStepLosesNothing(step: DataDirectory.CheckpointStep) async throws {
        try await withTempDirectory { dir in
            var acknowledged: [Sample] = []
            var expectedNotes: Set<String> = []
            do {
                let (data, metrics, notes) = try Self.open(dir)
                try await notes!.add("before")
                expectedNotes.insert("before")
                var crashed = false
                data.checkpointStep = { if $0 == step { throw SimulatedCrash() } }
                for t in stride(from: Int64(0), to: 60_000, by: 1000) where !crashed {
                    do {
                        _ = try metrics.appendSync(batch(series("m"), [(t, Double(t))]))
                        acknowledged.append(Sample(t, Double(t)))
                    } catch is SimulatedCrash {
                        crashed = true // the samples of this call were durable; the process dies now
                    }
                }
                #expect(crashed)
                metrics.waitForBackgroundWork()
            }
            let (data, metrics, notes) = try Self.open(dir)
            #expect(notes!.all == expectedNotes)
            let got = try metrics.select([.equal("__name__", "m")], start: .min, end: .max).first?.samples ?? []
            #expect(Set(acknowledged.map(\.timestamp)).isSubset(of: Set(got.map(\.timestamp))))
            #expect(got.count >= acknowledged.count)
            try metrics.close()
            try data.close()
        }
    }

    @Test func overlappingRecordTypesAreRefused() throws {
        try withTempDirectory { dir in
            let data = try DataDirectory(path: dir, logger: quietLogger)
            defer { data.abandon() }
            _ = try NoteStore(data: data)
            #expect(throws: StorageError.self) { _ = try NoteStore(data: data) }
        }
    }

    /// `Tests/Fixtures/datadir-v0`, written by `lookout import` before the data directory was shared
    /// (tables without a signal prefix, no schema version): it opens, is migrated, and answers.
    @Test func aDataDirectoryFromBeforeTheSharedWALOpensAndAnswers() throws {
        try withTempDirectory { dir in
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/datadir-v0").path
            try FileManager.default.removeItem(atPath: dir)
            try FileManager.default.copyItem(atPath: fixture, toPath: dir)
            let t0: Int64 = 1_764_000_000_000
            for round in 0..<2 { // the second open finds the migrated schema
                let store = try MetricStore(directory: dir, logger: quietLogger)
                #expect(try store.data.index.schemaVersion() == IndexSchema.version)
                #expect(try store.index.flushedUntil() == t0 + 4 * 3_600_000)
                let a = try store.select([.equal("__name__", "fixture_requests_total"), .equal("path", "/a")],
                                         start: .min, end: .max)
                #expect(a.count == 1)
                #expect(a.first?.samples == (0..<660).map { Sample(t0 + 30_000 * Int64($0), Double($0 * 3)) })
                let temperature = try store.select([.equal("__name__", "fixture_temperature")], start: .min, end: .max)
                let expected = (0..<660).map { Sample(t0 + 30_000 * Int64($0), 20 + Double($0 % 7) * 0.5) }
                    + (round == 0 ? [] : [Sample(t0 + 30_000 * 660, 21)]) // appended in round 0
                #expect(temperature.first?.samples == expected)
                #expect(try store.labelValues("path", matching: [[.equal("__name__", "fixture_requests_total")]], start: .min, end: .max) == ["/a", "/b"])
                if round == 0 {
                    let next = t0 + 30_000 * 660
                    #expect(try store.appendSync(batch(series("fixture_temperature", ["room": "lab"]), [(next, 21)])).appended == 1)
                }
                try store.close()
            }
        }
    }
}
