#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// The write-ahead log under `wal/`: numbered segment files of CRC-framed records, plus at most one
/// checkpoint. Records are enqueued in memory in the order the head applied them and written by
/// whoever flushes; `FsyncMode.batch` runs a writer thread that writes everything pending with one
/// `write` and one `fsync` (group commit), then resumes every append whose record it made durable.
///
/// Durability rules:
/// 1. Records reach the file in enqueue order; the head enqueues while holding its own lock, so WAL
///    order equals apply order and replay reproduces the head exactly.
/// 2. An append waiting on `waitDurable(_:)` is resumed only after `fsync` of a file holding its record
///    has returned (`.batch`, `.always`); in `.interval` mode after `write` has returned.
/// 3. A new segment (or checkpoint) is created, fsynced and its directory fsynced before anything
///    depends on it; a checkpoint is written to `checkpoint.N.tmp` and renamed, so a half-written one
///    is never read.
/// 4. Segments are deleted only after a checkpoint that covers them is durable.
/// 5. The first failed write or fsync fails the log (what reached the file is unknown, so no later
///    record may follow it): every waiter is resumed with the error, `enqueue` and `flush` throw it from
///    then on, pending records are dropped, and the writer thread sleeps. `recover(checkpoint:)` ends
///    the failure: it cuts the segment back to its last whole record, starts a new one and makes a
///    checkpoint of the live state durable before anything is accepted again, so records dropped by
///    the failure (applied to the head, never acknowledged) cannot leave later ones dangling.
///
/// Thread-safety: `state` (pending bytes, sequence numbers, waiters) is guarded by `cond`; the file
/// descriptor and segment bookkeeping are guarded by `ioLock` (taken before `cond`, never after).
final class WriteAheadLog: @unchecked Sendable {
    let directory: String
    let mode: FsyncMode
    let segmentBytes: Int64
    let logger: Logger
    let health: StorageHealth

    private let cond = NSCondition()
    private var pending: [UInt8] = []
    private var enqueuedSeq: UInt64 = 0
    private var writtenSeq: UInt64 = 0
    private var durableSeq: UInt64 = 0
    private var waiters: [(seq: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var failure: StorageError?
    private var stopping = false
    private var threadDone = true
    private var fsyncs = 0
    private var fsyncSeconds = 0.0
    /// When records were first written without an fsync since the last one (uptime nanoseconds).
    private var unsyncedSince: UInt64?
    /// How long written records nobody waits for may go without an fsync.
    static let unwaitedSyncInterval: UInt64 = 1_000_000_000

    private let ioLock = NSLock()
    /// The open segment's descriptor (tests swap in /dev/full to simulate a full disk).
    private(set) var fd: Int32 = -1
    private(set) var segmentIndex: Int = 0
    private var segmentSize: Int64 = 0

    init(directory: String, mode: FsyncMode, segmentBytes: Int64, firstSegment: Int, logger: Logger,
         health: StorageHealth = StorageHealth()) throws {
        self.directory = directory
        self.health = health
        self.mode = mode
        self.segmentBytes = segmentBytes
        self.logger = logger
        try openSegment(firstSegment)
        switch mode {
        case .always: break
        case .batch, .interval:
            threadDone = false
            let thread = Thread { [self] in self.writerLoop() }
            thread.name = "lookout-wal-writer"
            thread.start()
        }
    }

    static func segmentName(_ index: Int) -> String { String(format: "%08d", index) }
    static func checkpointName(_ index: Int) -> String { "checkpoint." + segmentName(index) }

    /// Queues framed records; returns the sequence number to wait for. Callers enqueue in apply order.
    /// Throws the failure once the log has failed (rule 5).
    func enqueue(_ records: [UInt8]) throws -> UInt64 {
        cond.lock()
        if let failure {
            cond.unlock()
            throw failure
        }
        pending.append(contentsOf: records)
        enqueuedSeq += 1
        let seq = enqueuedSeq
        if case .batch = mode { cond.broadcast() }
        cond.unlock()
        return seq
    }

    /// Throws the failure once the log has failed (rule 5), so a caller can refuse work up front.
    func checkWritable() throws {
        cond.lock()
        defer { cond.unlock() }
        if let failure { throw failure }
    }

    /// Bytes enqueued but not yet written.
    var pendingBytes: Int {
        cond.lock()
        defer { cond.unlock() }
        return pending.count
    }

    /// Waits until the record with `seq` is durable per the fsync mode.
    func waitDurable(_ seq: UInt64) async throws {
        switch mode {
        case .always:
            try flush(fsync: true, upTo: seq)
        case .interval:
            try flush(fsync: false, upTo: seq)
        case .batch:
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                cond.lock()
                if durableSeq >= seq {
                    cond.unlock()
                    c.resume()
                } else if let failure {
                    cond.unlock()
                    c.resume(throwing: failure)
                } else {
                    waiters.append((seq, c))
                    cond.broadcast()
                    cond.unlock()
                }
            }
        }
    }

    /// Writes everything pending and, if `fsync`, makes it durable; a no-op when `seq` is already there.
    func flush(fsync: Bool, upTo seq: UInt64 = .max) throws {
        ioLock.lock()
        defer { ioLock.unlock() }
        try flushLocked(fsync: fsync, upTo: seq)
    }

    private func flushLocked(fsync: Bool, upTo seq: UInt64) throws {
        cond.lock()
        if let failure {
            cond.unlock()
            throw failure
        }
        let target = enqueuedSeq
        if (fsync ? durableSeq : writtenSeq) >= min(seq, target) {
            cond.unlock()
            return
        }
        let data = pending
        pending.removeAll(keepingCapacity: true)
        cond.unlock()
        do {
            if !data.isEmpty {
                if segmentSize > 0 && segmentSize + Int64(data.count) > segmentBytes {
                    try rotateLocked()
                }
                try FileIO.writeAll(fd, data, path: segmentPath)
                segmentSize += Int64(data.count)
            }
            var seconds = 0.0
            if fsync {
                let start = DispatchTime.now().uptimeNanoseconds
                try FileIO.fsync(fd, path: segmentPath)
                seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            }
            var ready: [CheckedContinuation<Void, any Error>] = []
            cond.lock()
            writtenSeq = target
            if fsync {
                durableSeq = target
                unsyncedSince = nil
                fsyncs += 1
                fsyncSeconds += seconds
                waiters.removeAll { w in
                    if w.seq <= target { ready.append(w.continuation); return true }
                    return false
                }
            } else if writtenSeq > durableSeq && unsyncedSince == nil {
                unsyncedSince = DispatchTime.now().uptimeNanoseconds
            }
            cond.unlock()
            for c in ready { c.resume() }
        } catch {
            let failure = error as? StorageError ?? StorageError(.io, "WAL write failed: \(error)", file: segmentPath)
            fail(failure)
            throw failure
        }
    }

    private func fail(_ error: StorageError) {
        cond.lock()
        if failure == nil {
            failure = error
            if error.code != .closed {
                health.record(.walWrite)
                health.setWALFault(error.description)
            }
        }
        pending = [] // can never be written (rule 5)
        let all = waiters
        waiters.removeAll()
        cond.broadcast()
        cond.unlock()
        for w in all { w.continuation.resume(throwing: error) }
    }

    private func writerLoop() {
        while true {
            cond.lock()
            // A failed log writes nothing more (rule 5): sleep until close() rather than retry.
            while !stopping && failure != nil { cond.wait() }
            var fsync = true
            switch mode {
            case .interval(let ms):
                if !stopping { _ = cond.wait(until: Date(timeIntervalSinceNow: Double(max(ms, 1)) / 1000)) }
            default:
                // Wake for a waiter (fsync now), for records to write (fsync only if someone waits),
                // or when written records have gone unsynced for `unwaitedSyncInterval`.
                while !stopping {
                    if !waiters.isEmpty && enqueuedSeq > durableSeq { break }
                    if !pending.isEmpty { fsync = false; break }
                    guard let since = unsyncedSince, writtenSeq > durableSeq else {
                        cond.wait()
                        continue
                    }
                    let now = DispatchTime.now().uptimeNanoseconds
                    if now &- since >= Self.unwaitedSyncInterval { break }
                    _ = cond.wait(until: Date(timeIntervalSinceNow: Double(Self.unwaitedSyncInterval - (now &- since)) / 1e9))
                }
            }
            let stop = stopping
            if stop { fsync = true }
            let work = failure == nil && (fsync ? enqueuedSeq > durableSeq : !pending.isEmpty)
            cond.unlock()
            if work {
                do { try flush(fsync: fsync) } catch {
                    logger.error("WAL flush failed", metadata: ["wal.error": "\(error)"])
                }
            }
            if stop { break }
        }
        cond.lock()
        threadDone = true
        cond.broadcast()
        cond.unlock()
    }

    /// Flushes and fsyncs the current segment, then starts the next one; returns its index.
    /// Everything enqueued before the call is in segments below the returned index.
    func rotate() throws -> Int {
        ioLock.lock()
        defer { ioLock.unlock() }
        try flushLocked(fsync: true, upTo: .max)
        try rotateLocked()
        return segmentIndex
    }

    private var segmentPath: String { directory + "/" + WriteAheadLog.segmentName(segmentIndex) }

    private func rotateLocked() throws {
        try FileIO.fsync(fd, path: segmentPath)
        FileIO.close(fd)
        fd = -1
        try openSegment(segmentIndex + 1)
    }

    private func openSegment(_ index: Int) throws {
        segmentIndex = index
        let path = directory + "/" + WriteAheadLog.segmentName(index)
        fd = try FileIO.open(path, flags: O_WRONLY | O_CREAT | O_APPEND)
        segmentSize = FileIO.size(path)
        try FileIO.fsyncDirectory(directory)
    }

    /// Writes `records` as `checkpoint.<index>` (`FileIO.writeAtomically`), then deletes the segments
    /// below `index` and older checkpoints. `beforeDeleting` runs once the checkpoint is durable.
    func writeCheckpoint(index: Int, records: [UInt8], beforeDeleting: () throws -> Void = {}) throws {
        try FileIO.writeAtomically(records, to: directory + "/" + WriteAheadLog.checkpointName(index))
        try beforeDeleting()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            if let n = Int(name), n < index {
                try FileIO.remove(directory + "/" + name)
            } else if name.hasPrefix("checkpoint."), let n = Int(name.dropFirst("checkpoint.".count)), n < index {
                try FileIO.remove(directory + "/" + name)
            }
        }
        try FileIO.fsyncDirectory(directory)
    }

    /// Ends a write failure (rule 5); a no-op when the log has not failed. Under the I/O lock, so
    /// nothing is written meanwhile: cuts the open segment back to its last whole record, starts the
    /// next segment, writes `checkpoint()`'s records as the checkpoint covering every older segment,
    /// and only then accepts records again. Throws (the log stays failed) if any step fails.
    func recover(checkpoint: () throws -> [UInt8]) throws {
        ioLock.lock()
        defer { ioLock.unlock() }
        cond.lock()
        let failed = failure != nil && failure?.code != .closed && !stopping
        cond.unlock()
        guard failed else { return }
        do {
            if fd >= 0 {
                // `segmentSize` counts only writes that completed: what follows is the failed one.
                try FileIO.truncate(segmentPath, to: segmentSize)
                try FileIO.fsync(fd, path: segmentPath)
                FileIO.close(fd)
                fd = -1
                try openSegment(segmentIndex + 1)
            } else {
                try openSegment(segmentIndex) // a previous recovery could not create it
            }
            try writeCheckpoint(index: segmentIndex, records: checkpoint())
        } catch {
            health.record(.walRecovery)
            throw error
        }
        cond.lock()
        failure = nil
        writtenSeq = enqueuedSeq
        durableSeq = enqueuedSeq
        unsyncedSince = nil
        cond.broadcast()
        cond.unlock()
        health.setWALFault(nil)
        logger.info("WAL recovered after a write failure", metadata: ["wal.segment": "\(WriteAheadLog.segmentName(segmentIndex))"])
    }

    /// Whether a write has failed and `recover(checkpoint:)` has not yet ended it.
    var hasFailed: Bool {
        cond.lock()
        defer { cond.unlock() }
        return failure != nil && failure?.code != .closed
    }

    /// (fsync calls, seconds spent in fsync).
    var fsyncStats: (Int, Double) {
        cond.lock()
        defer { cond.unlock() }
        return (fsyncs, fsyncSeconds)
    }

    var totalBytes: Int64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0) { $0 + FileIO.size(directory + "/" + $1) }
    }

    /// Flushes and fsyncs what is pending, stops the writer thread and closes the segment.
    func close() throws {
        cond.lock()
        stopping = true
        cond.broadcast()
        while !threadDone { cond.wait() }
        cond.unlock()
        ioLock.lock()
        defer { ioLock.unlock() }
        guard fd >= 0 else { return }
        defer {
            FileIO.close(fd)
            fd = -1
            fail(StorageError(.closed, "the WAL is closed"))
        }
        try flushLocked(fsync: true, upTo: .max)
    }
}
