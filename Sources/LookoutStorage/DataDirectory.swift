#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The one data directory every signal's store lives in: it takes the directory's lock, opens the one
/// write-ahead log (`wal/`) and the one SQLite index (`index.sqlite`), replays the WAL into the stores
/// registered with it (each a `WALParticipant` owning a range of record types), and writes checkpoints
/// holding every participant's live state.
///
/// Use: `init`, then `register(_:)` each store, then `open(progress:)`; `close()` at the end (after
/// the stores have finished their own work). `MetricStore(directory:)` does all of this for a
/// directory that holds only metrics.
///
/// Checkpoint rules (`docs/format/wal.md`):
/// 1. The WAL is rotated first; every record enqueued before is then reflected in the state each
///    participant writes (the `WALParticipant` contract), so the segments below the rotation hold
///    nothing the checkpoint lacks.
/// 2. Records of types no registered participant owns (a store this process did not open, as when
///    `lookout import` opens only metrics) are carried into every checkpoint byte for byte.
/// 3. The checkpoint file is durable before any older segment is deleted (`WriteAheadLog`).
///
/// Thread-safety: registration happens before `open`; checkpoints are serialised by `checkpointLock`.
public final class DataDirectory: @unchecked Sendable {
    public let path: String
    public let walOptions: WALOptions
    let logger: Logger
    let index: IndexDatabase
    /// Storage faults of every store here, for `/metrics` and readiness.
    public let health = StorageHealth()
    private let lockFD: Int32
    private let stateLock = NSLock()
    private var participants: [any WALParticipant] = []
    private var openedWAL: WriteAheadLog?
    /// Framed records of types no participant owns, kept for every checkpoint.
    private var unclaimed: [UInt8] = []
    private let checkpointLock = NSLock()
    private var closed = false
    /// Test hook: called at each step of a checkpoint; a throw stops it there, as a crash would.
    var checkpointStep: ((CheckpointStep) throws -> Void)?

    /// The steps of a checkpoint, for tests that stop one part way.
    enum CheckpointStep {
        case rotated, written, oldSegmentsDeleted
    }

    /// Creates the directory (with `wal/`) if needed, takes its lock and opens the index.
    public init(path: String, wal: WALOptions = .init(), logger: Logger) throws {
        self.path = path
        self.walOptions = wal
        self.logger = logger
        let fm = FileManager.default
        let isNew = !fm.fileExists(atPath: path + "/wal")
        do {
            try fm.createDirectory(atPath: path + "/wal", withIntermediateDirectories: true)
        } catch {
            throw StorageError(.io, "cannot create the data directory: \(error)", file: path)
        }
        lockFD = try Self.lockDirectory(path)
        do {
            index = try IndexDatabase(path: path + "/index.sqlite")
            if isNew {
                try FileIO.fsyncDirectory(path)
                try FileIO.fsyncDirectory((path as NSString).deletingLastPathComponent.isEmpty
                                          ? "." : (path as NSString).deletingLastPathComponent)
            }
        } catch {
            FileIO.close(lockFD)
            throw error
        }
    }

    /// Takes a POSIX record lock on `path/LOCK` so that a second process cannot open the same
    /// directory (the lock dies with the process, so a crash never leaves a stale lock).
    private static func lockDirectory(_ path: String) throws -> Int32 {
        let lockPath = path + "/LOCK"
        do {
            return try FileIO.lockFile(lockPath)
        } catch let error as StorageError {
            throw StorageError(.io, "the data directory is in use by another process: \(error.message)", file: lockPath)
        }
    }

    /// Adds a store before `open`; its record types must not overlap another's.
    public func register(_ participant: any WALParticipant) throws {
        stateLock.lock()
        defer { stateLock.unlock() }
        guard openedWAL == nil else {
            throw StorageError(.invalidArgument, "\(participant.walName): register stores before opening the data directory")
        }
        for p in participants where p.walRecordTypes.overlaps(participant.walRecordTypes) {
            throw StorageError(.invalidArgument,
                               "\(participant.walName) and \(p.walName) both claim WAL record types \(participant.walRecordTypes)")
        }
        participants.append(participant)
    }

    /// Replays the WAL into the registered stores (a torn tail is cut), then opens it for appends.
    /// `progress` gets (done, total) bytes of the replay.
    public func open(progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws {
        stateLock.lock()
        let participants = participants
        stateLock.unlock()
        var byType: [(any WALParticipant)?] = Array(repeating: nil, count: 256)
        for p in participants { for t in p.walRecordTypes { byType[Int(t)] = p } }
        var replayed: [ObjectIdentifier: Int] = [:]
        var unclaimed: [UInt8] = []
        let firstSegment = try WALReplay.read(directory: path + "/wal", progress: progress) { type, payload, file, offset in
            guard let p = byType[Int(type)] else {
                WALRecord.frame(&unclaimed, type: type) { $0.append(contentsOf: payload) }
                return
            }
            guard try p.replayRecord(type: type, payload: payload) else {
                throw StorageError(.corruption, "WAL record of type \(type) (\(p.walName)) does not decode",
                                   file: file, offset: offset)
            }
            replayed[ObjectIdentifier(p), default: 0] += 1
        }
        for p in participants { try p.didReplay(recordsReplayed: replayed[ObjectIdentifier(p)] ?? 0) }
        let wal = try WriteAheadLog(directory: path + "/wal", mode: walOptions.fsync, segmentBytes: walOptions.segmentBytes,
                                    firstSegment: firstSegment, logger: logger, health: health)
        stateLock.lock()
        self.unclaimed = unclaimed
        openedWAL = wal
        stateLock.unlock()
        for p in participants { try p.didOpen() }
    }

    /// The open WAL. Only stores that `open` has replayed into use it.
    var wal: WriteAheadLog {
        stateLock.lock()
        defer { stateLock.unlock() }
        return openedWAL!
    }

    /// Rotates the WAL and writes a checkpoint of every participant's live state (and the records
    /// no participant claims), then deletes the older segments.
    public func checkpoint(final: Bool = false) throws {
        checkpointLock.lock()
        defer { checkpointLock.unlock() }
        let wal = wal
        do {
            let index = try wal.rotate()
            try checkpointStep?(.rotated)
            let records = try liveRecords(final: final)
            try wal.writeCheckpoint(index: index, records: records,
                                    beforeDeleting: { try checkpointStep?(.written) })
            try checkpointStep?(.oldSegmentsDeleted)
        } catch {
            if !wal.hasFailed { health.record(.checkpoint) } // a failed WAL counted itself
            throw error
        }
    }

    /// Every participant's live state and the records no participant claims, as checkpoint records.
    private func liveRecords(final: Bool) throws -> [UInt8] {
        stateLock.lock()
        let participants = participants
        var records = unclaimed
        stateLock.unlock()
        for p in participants { try p.checkpointRecords(into: &records, final: final) }
        return records
    }

    /// Why appends fail now (a WAL write failed and has not been recovered from), or nil.
    public var writeFault: String? { health.writeFault }

    /// After a WAL write failure, tries to make the WAL writable again (`WriteAheadLog.recover`):
    /// a new segment and a checkpoint of every participant's live state. A no-op while the WAL is
    /// fine; throws, leaving appends refused, while the disk still refuses writes.
    public func recoverWAL() throws {
        checkpointLock.lock()
        defer { checkpointLock.unlock() }
        let wal = wal
        guard wal.hasFailed else { return }
        try wal.recover { try liveRecords(final: false) }
    }

    /// Bytes in `wal/`.
    public var walBytes: Int64 { wal.totalBytes }

    /// WAL fsync calls and the seconds spent in them.
    public var walFsyncStats: (Int, Double) { wal.fsyncStats }

    /// Writes a final checkpoint, closes the WAL and the index and releases the lock. Call after
    /// every store has stopped appending. Idempotent.
    public func close() throws {
        stateLock.lock()
        if closed {
            stateLock.unlock()
            return
        }
        closed = true
        let wal = openedWAL
        stateLock.unlock()
        var firstError: (any Error)?
        if let wal {
            do { try checkpoint(final: true) } catch { firstError = error }
            do { try wal.close() } catch { firstError = firstError ?? error }
        }
        try? index.checkpoint()
        index.close()
        FileIO.close(lockFD)
        if let firstError { throw firstError }
    }

    /// Releases the lock and the index after a failed open, without writing anything.
    func abandon() {
        stateLock.lock()
        let wasClosed = closed
        closed = true
        let wal = openedWAL
        stateLock.unlock()
        guard !wasClosed else { return }
        try? wal?.close()
        index.close()
        FileIO.close(lockFD)
    }
}
