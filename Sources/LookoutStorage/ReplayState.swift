import Foundation
import LookoutModel

/// What WAL replay rebuilds before the store installs it as its head.
struct ReplayState {
    var series: [MemSeries] = []
    var byRef: [UInt64: MemSeries] = [:]
    var byLabels = HeadSeriesSet()
    /// Refs whose labels repeat an earlier ref (kept pointing at the first series).
    var aliases: [UInt64: MemSeries] = [:]
    var maxRef: UInt64 = 0
    var records = 0
    var symbols = LabelSymbols()
    var partitionDuration: Int64 = 2 * 3_600_000
    var samplesPerChunk = 120
}

extension MetricStore {
    /// Replays `checkpoint.N` (the newest) and the segments from N on into `state`; cuts a torn tail of
    /// the last segment. Returns the index the new WAL segment should get.
    static func replay(walDirectory dir: String, into state: inout ReplayState, minValidTime: Int64,
                       progress: (@Sendable (Int64, Int64) -> Void)?) throws -> Int {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
        var segments: [Int] = []
        var checkpoints: [Int] = []
        for name in names {
            if name.hasSuffix(".tmp") {
                try? fm.removeItem(atPath: dir + "/" + name)
            } else if name.hasPrefix("checkpoint."), let n = Int(name.dropFirst("checkpoint.".count)) {
                checkpoints.append(n)
            } else if let n = Int(name) {
                segments.append(n)
            }
        }
        let checkpoint = checkpoints.max()
        if let checkpoint {
            for n in segments where n < checkpoint { try? fm.removeItem(atPath: dir + "/" + WriteAheadLog.segmentName(n)) }
            for n in checkpoints where n < checkpoint { try? fm.removeItem(atPath: dir + "/" + WriteAheadLog.checkpointName(n)) }
            segments = segments.filter { $0 >= checkpoint }
        }
        segments.sort()
        var files: [(path: String, isLast: Bool)] = []
        if let checkpoint { files.append((dir + "/" + WriteAheadLog.checkpointName(checkpoint), false)) }
        for (i, n) in segments.enumerated() {
            files.append((dir + "/" + WriteAheadLog.segmentName(n), i == segments.count - 1))
        }
        let total = files.reduce(Int64(0)) { $0 + FileIO.size($1.path) }
        var done: Int64 = 0
        var lastReported: Int64 = 0
        progress?(0, total)
        for file in files {
            let result = try WALReader.read(file.path, cutTornTail: file.isLast) { type, payload, end in
                guard apply(type: type, payload: payload, to: &state, minValidTime: minValidTime) else {
                    throw StorageError(.corruption, "WAL record of type \(type) does not decode", file: file.path,
                                       offset: end - Int64(payload.count) - Int64(WALRecord.headerSize))
                }
                state.records += 1
                if let progress, done + end - lastReported >= 1 << 20 {
                    lastReported = done + end
                    progress(lastReported, total)
                }
            }
            done += result.validLength
        }
        progress?(total, total)
        return max((segments.last ?? 0) + 1, (checkpoint ?? 0) + 1, 1)
    }

    private static func apply(type: UInt8, payload: [UInt8], to state: inout ReplayState, minValidTime: Int64) -> Bool {
        // The replayed head uses defaults for chunk cutting; any partition duration works because a chunk
        // is cut whenever a sample lands in another partition.
        switch WALRecordType(rawValue: type) {
        case .series:
            return WALRecord.decodeSeries(payload) { ref, labels in
                state.maxRef = max(state.maxRef, ref)
                if state.byRef[ref] != nil { return }
                if let existing = state.byLabels[labels] {
                    state.aliases[ref] = existing
                    state.byRef[ref] = existing
                    return
                }
                let s = MemSeries(ref: ref, labels: labels, symbols: state.symbols)
                state.series.append(s)
                state.byRef[ref] = s
                state.byLabels.insert(s)
            }
        case .samples:
            var inBounds = true
            let decoded = WALRecord.decodeSamples(payload) { ref, t, v in
                // No append accepts such a timestamp; partition arithmetic on it could overflow.
                guard t >= -MetricStore.maxTimestamp, t <= MetricStore.maxTimestamp else { inBounds = false; return }
                guard t >= minValidTime, let s = state.byRef[ref] else { return }
                _ = s.append(t, v, partitionDuration: state.partitionDuration, samplesPerChunk: state.samplesPerChunk,
                             newPartition: { _ in })
            }
            return decoded && inBounds
        case .chunk:
            guard let (ref, codec, bytes) = WALRecord.decodeChunk(payload) else { return false }
            guard let s = state.byRef[ref] else { return true }
            var inBounds = true
            do {
                try codec.decode(bytes) { t, v in
                    guard t >= -MetricStore.maxTimestamp, t <= MetricStore.maxTimestamp else { inBounds = false; return }
                    guard t >= minValidTime else { return }
                    _ = s.append(t, v, partitionDuration: state.partitionDuration,
                                 samplesPerChunk: state.samplesPerChunk, newPartition: { _ in })
                }
            } catch { return false }
            return inBounds
        case nil:
            return true // a record of another signal (logs, spans): not ours
        }
    }
}
