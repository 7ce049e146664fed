import Foundation
@testable import LookoutStorage

/// A second WAL participant for tests: a set of notes, each acknowledged once its record (type 48)
/// is durable, kept in the WAL only (it writes no files of its own), as the notifier's state will be.
final class NoteStore: WALParticipant, @unchecked Sendable {
    private let lock = NSLock()
    private var notes: Set<String> = []
    private let data: DataDirectory
    static let recordType: UInt8 = 48

    init(data: DataDirectory) throws {
        self.data = data
        try data.register(self)
    }

    /// Adds a note and returns once it is durable.
    func add(_ note: String) async throws {
        try await data.wal.waitDurable(try enqueue(note))
    }

    /// Applies a note and enqueues its record under one lock (the `WALParticipant` contract).
    private func enqueue(_ note: String) throws -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        notes.insert(note)
        var record: [UInt8] = []
        WALRecord.frame(&record, type: Self.recordType) { $0.append(contentsOf: Array(note.utf8)) }
        return try data.wal.enqueue(record)
    }

    var all: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return notes
    }

    var walName: String { "notes" }
    var walRecordTypes: ClosedRange<UInt8> { 48...63 }

    func replayRecord(type: UInt8, payload: [UInt8]) throws -> Bool {
        guard type == Self.recordType, let note = String(validating: payload, as: UTF8.self) else { return false }
        lock.lock()
        notes.insert(note)
        lock.unlock()
        return true
    }

    func didReplay(recordsReplayed: Int) throws {}

    func checkpointRecords(into records: inout [UInt8], final: Bool) throws {
        for note in all.sorted() {
            WALRecord.frame(&records, type: Self.recordType) { $0.append(contentsOf: Array(note.utf8)) }
        }
    }
}
