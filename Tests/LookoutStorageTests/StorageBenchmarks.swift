import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LookoutModel
@testable import LookoutStorage
import Testing

/// Rough measurements, run only with `LOOKOUT_STORAGE_BENCH=1` (ideally in release:
/// `swift test -c release -Xswiftc -enable-testing --filter StorageBenchmarks`).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["LOOKOUT_STORAGE_BENCH"] != nil))
struct StorageBenchmarks {
    /// node_exporter-like series: a few hundred per host, counters, slowly moving gauges and constants.
    static func nodeSeries(hosts: Int) -> [Labels] {
        var out: [Labels] = []
        for h in 0..<hosts {
            let base = ["job": "node", "instance": "host-\(h).example.com:9100"]
            for cpu in 0..<8 {
                for mode in ["idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"] {
                    out.append(Labels(base.merging(["__name__": "node_cpu_seconds_total", "cpu": "\(cpu)", "mode": mode]) { $1 }))
                }
            }
            for dev in ["sda", "sdb", "nvme0n1"] {
                for m in ["node_disk_read_bytes_total", "node_disk_written_bytes_total", "node_disk_io_time_seconds_total",
                          "node_disk_reads_completed_total", "node_disk_writes_completed_total"] {
                    out.append(Labels(base.merging(["__name__": m, "device": dev]) { $1 }))
                }
            }
            for m in ["node_memory_MemFree_bytes", "node_memory_Cached_bytes", "node_memory_Buffers_bytes",
                      "node_memory_MemTotal_bytes", "node_load1", "node_load5", "node_load15", "node_boot_time_seconds",
                      "node_filefd_allocated", "node_procs_running", "node_network_receive_bytes_total",
                      "node_network_transmit_bytes_total", "node_context_switches_total", "node_intr_total"] {
                out.append(Labels(base.merging(["__name__": m]) { $1 }))
            }
        }
        return out
    }

    /// The value of series `i` at step `n` (deterministic pseudo-random walk).
    static func value(_ labels: Labels, _ i: Int, _ n: Int, _ state: inout [Double]) -> Double {
        var x = UInt64(i &* 2654435761 &+ n &* 40503) &* 0x9E3779B97F4A7C15
        x ^= x >> 29
        let r = Double(x % 10_000) / 10_000
        let name = labels.name ?? ""
        if name.hasSuffix("_total") {
            if name.contains("cpu") { state[i] += (r * 15).rounded() / 100 } // 0.01 s granularity
            else if name.contains("bytes") { state[i] += (r * 200).rounded() * 4096 }
            else { state[i] += (r * 50).rounded() }
        } else if name.hasPrefix("node_load") {
            state[i] = (r * 400).rounded() / 100
        } else if name.contains("Total") || name.contains("boot") {
            state[i] = state[i] == 0 ? 16_777_216_000 : state[i]
        } else if name.contains("memory") {
            if r < 0.3 { state[i] += (r - 0.15) * 4096 * 100 } // moves in pages, often unchanged
            state[i] = (state[i] / 4096).rounded() * 4096
        } else {
            state[i] = (r * 20).rounded()
        }
        // Scraped values come from text with few digits (node_exporter prints cpu seconds as 12345.67).
        return (state[i] * 100).rounded() / 100
    }

    @Test func bytesPerSampleNodeExporter24h() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let labels = Self.nodeSeries(hosts: 10)
        let store = try MetricStore(directory: dir.path, logger: quietLogger)
        var state = [Double](repeating: 0, count: labels.count)
        let start: Int64 = 1_700_000_000_000
        let steps = 24 * 3600 / 15 + 1
        var samples = 0
        let clock = ContinuousClock.now
        for n in 0..<steps {
            var b: [(labels: Labels, sample: Sample)] = []
            b.reserveCapacity(labels.count)
            // Scrape timestamps jitter by a few ms around the 15 s grid, as real scrapes do.
            let jitter = Int64((n &* 7919) % 7) - 3
            for (i, l) in labels.enumerated() {
                b.append((l, Sample(start + Int64(n) * 15_000 + jitter, Self.value(l, i, n, &state))))
            }
            samples += try store.appendSync(b).appended
        }
        let elapsed = ContinuousClock.now - clock
        try store.close()
        let metrics = directorySize(dir.path + "/metrics")
        let index = fileSizeInt(dir.path + "/index.sqlite")
        // Only written partitions count: the head's last hours are still in the WAL.
        let onDiskSamples = try countOnDisk(dir.path)
        print("bench: series=\(labels.count) samples=\(samples) onDisk=\(onDiskSamples) metricsBytes=\(metrics) indexBytes=\(index) "
              + "bytes/sample(chunks)=\(Double(metrics) / Double(onDiskSamples)) "
              + "bytes/sample(chunks+index)=\(Double(metrics + index) / Double(onDiskSamples)) appendSync elapsed=\(elapsed)")
    }

    /// Mirrors the lead's `lookout-bench disk` generator: counters grow by noisy 2-decimal steps
    /// (accumulating binary rounding noise), a third of gauges wander; the whole data directory after
    /// close is counted (WAL checkpoint and index included).
    @Test func bytesPerSampleWholeDirectory() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let labels = Self.nodeSeries(hosts: 4)
        var rng = SystemRandomNumberGenerator()
        let isCounter = labels.map { ($0.name ?? "").hasSuffix("_total") }
        let wanders = labels.map { _ in Double.random(in: 0..<1, using: &rng) < 0.35 }
        var values = labels.map { _ in (Double.random(in: 0..<1e9, using: &rng) * 100).rounded() / 100 }
        let store = try MetricStore(directory: dir.path, options: StorageOptions(retention: .max / 4), logger: quietLogger)
        let start: Int64 = 1_700_000_000_000
        var total = 0
        for step in 0..<(24 * 3600 / 15) {
            let time = start + Int64(step) * 15_000 + Int64.random(in: 0..<4, using: &rng)
            var b: [(labels: Labels, sample: Sample)] = []
            b.reserveCapacity(labels.count)
            for i in labels.indices {
                let u = Double.random(in: 0..<1, using: &rng)
                if isCounter[i] {
                    if u < 0.8 {
                        let rate = max(1, abs(values[i]) / 1e6)
                        values[i] += (rate * 15 * Double.random(in: 0..<1, using: &rng) * 100).rounded() / 100
                    }
                } else if wanders[i] {
                    values[i] = ((values[i] * (1 + (u - 0.5) * 0.02)) * 100).rounded() / 100
                }
                b.append((labels[i], Sample(time, values[i])))
            }
            total += try store.appendSync(b).appended
        }
        try store.close()
        let size = directorySize(dir.path)
        print("bench: whole dir after close: series=\(labels.count) samples=\(total) bytes=\(size) "
              + "bytes/sample=\(Double(size) / Double(total)) (metrics=\(directorySize(dir.path + "/metrics")) "
              + "wal=\(directorySize(dir.path + "/wal")) index=\(fileSizeInt(dir.path + "/index.sqlite")))")
    }

    /// Mirrors the lead's `lookout-bench memory`: 200,000 series, 4 samples each.
    @Test func headMemoryManySmallSeries() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let store = try MetricStore(directory: dir.path, logger: quietLogger)
        let seriesCount = 200_000
        let before = residentBytes()
        let clock = ContinuousClock.now
        for start in stride(from: 0, to: seriesCount, by: 1000) {
            for scrape in 0..<4 {
                let b = (start..<start + 1000).map { i in
                    (labels: Labels(["__name__": "bench_metric_\(i % 500)", "instance": "host-\(i / 500):9100",
                                     "job": "node", "shard": "\(i % 7)"]),
                     sample: Sample(Int64(scrape) * 15_000, Double(i)))
                }
                _ = try store.appendSync(b)
            }
        }
        let after = residentBytes()
        print("bench: many small series: \(store.stats.headSeries) series, \((after - before) / seriesCount) bytes/series resident growth, "
              + "\(ContinuousClock.now - clock)")
        try store.close()
    }

    func countOnDisk(_ path: String) throws -> Int {
        let store = try MetricStore(directory: path, logger: quietLogger)
        defer { try? store.close() }
        let minValid = store.stats.minValidTime
        return try store.select([try LabelMatcher("__name__", .regexMatch, ".+")], start: .min, end: minValid - 1)
            .reduce(0) { $0 + $1.samples.count }
    }

    @Test func appendThroughput() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let labels = Self.nodeSeries(hosts: 20) // ~2,700 series
        let store = try MetricStore(directory: dir.path, logger: quietLogger)
        var t: Int64 = 1_700_000_000_000
        let batches = labels.count / 500
        func makeBatch(_ k: Int, _ t: Int64) -> [(labels: Labels, sample: Sample)] {
            labels[(k * 500)..<min(labels.count, k * 500 + 500)].map { ($0, Sample(t, Double(t % 1000))) }
        }
        for k in 0...batches { _ = try store.appendSync(makeBatch(k, t)) } // create series
        let rssBefore = residentBytes()
        var total = 0
        let clock = ContinuousClock.now
        for _ in 0..<200 {
            t += 15_000
            for k in 0...batches { total += try store.appendSync(makeBatch(k, t)).appended }
        }
        let syncElapsed = ContinuousClock.now - clock
        let syncRate = Double(total) / (Double(syncElapsed.components.seconds) + Double(syncElapsed.components.attoseconds) / 1e18)
        // Concurrent async appends sharing fsyncs.
        total = 0
        let fsyncsBefore = store.stats.walFsyncs
        let clock2 = ContinuousClock.now
        for _ in 0..<200 {
            t += 15_000
            let tt = t
            total += try await withThrowingTaskGroup(of: Int.self) { group in
                for k in 0...batches { group.addTask { try await store.append(makeBatch(k, tt)).appended } }
                var n = 0
                for try await x in group { n += x }
                return n
            }
        }
        let asyncElapsed = ContinuousClock.now - clock2
        let asyncRate = Double(total) / (Double(asyncElapsed.components.seconds) + Double(asyncElapsed.components.attoseconds) / 1e18)
        // The fast path by series ref.
        let refs = try labels.map { try store.seriesRef(for: $0) }
        total = 0
        let clock3 = ContinuousClock.now
        for _ in 0..<200 {
            t += 15_000
            for k in 0...batches {
                let b = refs[(k * 500)..<min(refs.count, k * 500 + 500)].map { ($0, Sample(t, Double(t % 1000))) }
                total += try store.appendSync(refs: b).appended
            }
        }
        let refElapsed = ContinuousClock.now - clock3
        let refRate = Double(total) / (Double(refElapsed.components.seconds) + Double(refElapsed.components.attoseconds) / 1e18)
        print("bench: appendSync(refs:) samples/s=\(Int(refRate))")
        let rssAfter = residentBytes()
        let stats = store.stats
        print("bench: series=\(labels.count) appendSync samples/s=\(Int(syncRate)) async(group commit) samples/s=\(Int(asyncRate)) "
              + "fsyncs(async phase)=\(stats.walFsyncs - fsyncsBefore) fsyncSecondsTotal=\(stats.walFsyncSecondsTotal) rss growth/series=\((rssAfter - rssBefore) / labels.count) "
              + "rss=\(rssAfter) headChunks=\(stats.headChunks)")
        try store.close()
    }

    @Test func headMemoryPerSeries() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let rss0 = residentBytes()
        let labels = Self.nodeSeries(hosts: 100) // ~27,000 series
        let perChunk = Int(ProcessInfo.processInfo.environment["LOOKOUT_STORAGE_BENCH_CHUNK"] ?? "") ?? 120
        let store = try MetricStore(directory: dir.path, options: StorageOptions(samplesPerChunk: perChunk), logger: quietLogger)
        var state = [Double](repeating: 0, count: labels.count)
        let rss1 = residentBytes()
        // 2.5 h of 15 s data: a full partition plus the grace period stays in the head.
        for n in 0..<(150 * 4) {
            var b: [(labels: Labels, sample: Sample)] = []
            b.reserveCapacity(labels.count)
            for (i, l) in labels.enumerated() {
                let jitter = Int64((n &* 7919 &+ i) % 7) - 3
                b.append((l, Sample(1_700_000_000_000 + Int64(n) * 15_000 + jitter, Self.value(l, i, n, &state))))
            }
            _ = try store.appendSync(b)
            if n % 40 == 39 { store.compactHead() } // what the background thread does every 10 s
        }
        let rss2 = residentBytes()
        store.compactHead()
        #if canImport(Glibc)
        // malloc_trim(0): give freed pages back, so RSS shows live memory rather than fragmentation.
        if let sym = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") {
            _ = unsafeBitCast(sym, to: (@convention(c) (Int) -> Int32).self)(0)
        }
        #endif
        let rss3 = residentBytes()
        var used = 0, capacity = 0, chunks = 0
        store.headLock.lock()
        for s in store.byLabels.values {
            for c in s.chunks { used += c.bytes.count; capacity += c.bytes.capacity; chunks += 1 }
            if let o = s.open { used += o.bytes.count; capacity += o.bytes.capacity; chunks += 1 }
        }
        store.headLock.unlock()
        print("bench: head chunk bytes used/series=\(used / labels.count) capacity/series=\(capacity / labels.count) chunks/series=\(Double(chunks) / Double(labels.count))")
        print("bench: head series=\(store.stats.headSeries) rss before labels=\(rss0) after labels=\(rss1) after 2.5h=\(rss2) "
              + "bytes/series=\((rss2 - rss1) / labels.count) after compaction rss=\(rss3) bytes/series=\((rss3 - rss1) / labels.count)")
        try store.close()
    }
}

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let parts = text.split(separator: " ")
    return (Int(parts[1]) ?? 0) * 4096
}

func directorySize(_ path: String) -> Int {
    var total = 0
    if let e = FileManager.default.enumerator(atPath: path) {
        for case let name as String in e {
            total += Int(fileSize(path + "/" + name))
        }
    }
    return total
}

func fileSize(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
}

func fileSizeInt(_ path: String) -> Int { Int(fileSize(path)) }
