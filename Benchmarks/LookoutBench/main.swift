// lookout-bench: the figures in README's "Performance" table. Build in release and run through
// `scripts/bench.sh`, which prints each figure with the command that produced it.
//
//   lookout-bench parse FILE          exposition parsing, samples/s on one core
//   lookout-bench append              store append throughput, samples/s (existing series, 500-sample batches)
//   lookout-bench disk FILE [JITTER]  bytes/sample on disk: FILE replayed every 15 s for 24 h with drift
//   lookout-bench memory [SAMPLES]    resident bytes per active head series (SAMPLES each, default 4)
//   lookout-bench otlp FILE           OTLP protobuf trace decoding into spans, spans/s on one core
//                                     (FILE: an ExportTraceServiceRequest body, e.g. from bench_spans.py --dump)
//   lookout-bench logs [LINES]        log store: JSON lines decoded and appended per core, bytes on disk per raw
//                                     byte, count_over_time and needle-search latency (default 10,000,000 lines)
//   lookout-bench traces [SPANS]      span store: append spans/s per core, bytes per span, trace-by-id
//                                     and search latency with SPANS stored (default 10,000,000)
import Foundation
import Logging
import LookoutFormats
import LookoutModel
import LookoutQuery
import LookoutStorage

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: lookout-bench parse FILE | append | disk FILE [JITTER] | memory [SAMPLES]")
    exit(2)
}
var logger = Logger(label: "bench")
logger.logLevel = .error

func elapsed(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).inSeconds
}

func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "lookout-bench-\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: path)
    return path
}

func directorySize(_ path: String) -> Int64 {
    let enumerator = FileManager.default.enumerator(atPath: path)
    var total: Int64 = 0
    while let item = enumerator?.nextObject() as? String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + item)
        if attributes?[.type] as? FileAttributeType == .typeRegular {
            total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        }
    }
    return total
}

func fileSize(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
}

func residentBytes() -> Int64 {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int64(fields[1]) ?? 0) * Int64(sysconf(Int32(_SC_PAGESIZE)))
}

/// CPU time of the whole process (all threads, user + system), so figures are per core.
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// A tiny deterministic generator so runs are repeatable.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

switch arguments[1] {
case "parse":
    let bytes = Array(FileManager.default.contents(atPath: arguments[2])!)
    let parser = ExpositionParser(format: arguments[2].contains("openmetrics") ? .openMetrics : .prometheusText)
    var samples = 0
    _ = try parser.parse(bytes)  // warm up
    var rounds = 0
    let seconds = try elapsed {
        while rounds < 2000 {
            samples += try parser.parse(bytes).samples.count
            rounds += 1
        }
    }
    print("parse: \(samples) samples in \(String(format: "%.3f", seconds)) s = \(Int(Double(samples) / seconds)) samples/s (\(bytes.count) bytes × \(rounds))")

case "append":
    let directory = temporaryDirectory("append")
    let store = try MetricStore(directory: directory, options: StorageOptions(), logger: logger)
    let seriesCount = 10_000
    let labels = (0..<seriesCount).map { i in
        Labels(["__name__": "bench_metric_\(i % 100)", "instance": "host-\(i / 100):9100", "job": "node"])
    }
    let batchSize = 500
    let scrapes = 60
    var appended = 0
    // The first pass creates series; the measured passes append to existing ones.
    for start in stride(from: 0, to: seriesCount, by: batchSize) {
        _ = try store.appendSync((start..<start + batchSize).map { (labels[$0], Sample(0, 0)) })
    }
    let cpuBefore = cpuSeconds()
    let seconds = try elapsed {
        for scrape in 1...scrapes {
            let time = Int64(scrape) * 15_000
            for start in stride(from: 0, to: seriesCount, by: batchSize) {
                let batch = (start..<start + batchSize).map { (labels[$0], Sample(time, Double(scrape * $0))) }
                appended += try store.appendSync(batch).appended
            }
        }
    }
    let cpu = cpuSeconds() - cpuBefore
    try store.close()
    try? FileManager.default.removeItem(atPath: directory)
    print("append: \(appended) samples in \(String(format: "%.3f", seconds)) s wall = \(Int(Double(appended) / seconds)) samples/s; \(String(format: "%.3f", cpu)) s CPU = \(Int(Double(appended) / cpu)) samples/s per core (\(seriesCount) series, batches of \(batchSize), fsync per batch)")

case "disk":
    let bytes = Array(FileManager.default.contents(atPath: arguments[2])!)
    let exposition = try ExpositionParser(format: .prometheusText).parse(bytes)
    let types = Dictionary(exposition.metadata.map { ($0.family, $0.type) }, uniquingKeysWith: { a, _ in a })
    func isCounter(_ name: String) -> Bool {
        types[name] == .counter || name.hasSuffix("_total") || name.hasSuffix("_count") || name.hasSuffix("_sum")
            || name.hasSuffix("_bucket")
    }
    var random = SplitMix(state: 42)
    let series = exposition.samples.map { $0.labels }
    var values = exposition.samples.map { $0.value }
    // How each node_exporter series moves between scrapes (see docs/performance.md, "the drift model"):
    // - counters: half of them move every scrape — CPU-seconds by 2-decimal steps, byte counters by
    //   integers up to 20k, others by small integers; the rest (errors, drops) stay put;
    // - `*_duration_seconds` and `*_seconds` gauges other than timestamps: a fresh value every
    //   scrape, a whole number of nanoseconds (50 µs to 5 ms) in seconds, as Go's
    //   `time.Duration.Seconds()` produces for collector durations;
    // - other gauges: a third wander by small 2-decimal (or integer) steps; the rest are constant.
    enum Motion { case constant, counterSeconds, counterBytes, counterSmall, noisyFloat, wander }
    let motions: [Motion] = series.indices.map { index in
        let name = series[index].name ?? ""
        let value = values[index]
        guard value.isFinite else { return .constant }
        if isCounter(name) && !name.hasSuffix("_sum") && !name.hasSuffix("_bucket") {
            guard random.unit() < 0.5 else { return .constant }
            if name.contains("seconds") { return .counterSeconds }
            return name.contains("bytes") ? .counterBytes : .counterSmall
        }
        if name.contains("duration_seconds") || (name.hasSuffix("_seconds") && !name.contains("time")) {
            return .noisyFloat
        }
        return random.unit() < 0.33 ? .wander : .constant
    }
    let directory = temporaryDirectory("disk")
    let store = try MetricStore(directory: directory, options: StorageOptions(retention: .max / 4), logger: logger)
    let start: Int64 = 1_700_000_000_000
    let steps = 24 * 3600 / 15
    // Lookout's scraper stamps samples with the scheduled tick, so its data lies exactly on the
    // grid; an optional third argument adds 0…N ms of jitter, as imported data may have.
    let jitter = arguments.count > 3 ? Int64(arguments[3]) ?? 0 : 0
    var jitterRandom = SplitMix(state: 7)
    var total = 0
    // With LOOKOUT_BENCH_OPENMETRICS=FILE the same samples are also written as OpenMetrics, so
    // `promtool tsdb create-blocks-from openmetrics` can load identical data into Prometheus.
    let openMetricsPath = ProcessInfo.processInfo.environment["LOOKOUT_BENCH_OPENMETRICS"]
    var history: [[Sample]] = openMetricsPath == nil ? [] : Array(repeating: [], count: series.count)
    for step in 0..<steps {
        let time = start + Int64(step) * 15_000 + (jitter > 0 ? Int64(jitterRandom.next() % UInt64(jitter + 1)) : 0)
        var batch: [(labels: Labels, sample: Sample)] = []
        batch.reserveCapacity(series.count)
        for index in series.indices {
            switch motions[index] {
            case .constant: break
            case .counterSeconds: values[index] += (random.unit() * 15 * 30).rounded() / 100
            case .counterBytes: values[index] += (random.unit() * 20_000).rounded()
            case .counterSmall: values[index] += (random.unit() * 20).rounded()
            case .noisyFloat: values[index] = Double(50_000 + random.next() % 4_950_000) / 1e9
            case .wander:
                let isInteger = values[index] == values[index].rounded()
                let step = (random.unit() - 0.5) * max(1, abs(values[index]) * 0.01)
                values[index] = isInteger ? (values[index] + step).rounded() : ((values[index] + step) * 100).rounded() / 100
            }
            batch.append((series[index], Sample(time, values[index])))
            if openMetricsPath != nil { history[index].append(Sample(time, values[index])) }
        }
        total += try store.appendSync(batch).appended
    }
    try store.close()
    if let openMetricsPath {
        FileManager.default.createFile(atPath: openMetricsPath, contents: nil)
        let handle = FileHandle(forWritingAtPath: openMetricsPath)!
        // Families must not interleave: group series by metric name.
        let order = series.indices.sorted { (series[$0].name ?? "", series[$0]) < (series[$1].name ?? "", series[$1]) }
        for index in order {
            let text = ExpositionWriter.seriesText(series[index])
            var chunk = ""
            for sample in history[index] {
                chunk += "\(text) \(PromNumber.format(sample.value)) \(PromNumber.seconds(sample.timestamp))\n"
            }
            handle.write(Data(chunk.utf8))
        }
        handle.write(Data("# EOF\n".utf8))
        try handle.close()
    }
    let size = directorySize(directory)
    let parts = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().map { name in
        "\(name) \(directorySize(directory + "/" + name) + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.size] as? NSNumber ?? 0).int64Value)"
    }
    print("disk parts: " + parts.joined(separator: ", "))
    try? FileManager.default.removeItem(atPath: directory)
    print("disk: \(total) samples of \(series.count) series over 24 h at 15 s, \(jitter) ms jitter: \(size) bytes = \(String(format: "%.3f", Double(size) / Double(total))) bytes/sample (data dir after close, index included)")

case "memory":
    let directory = temporaryDirectory("memory")
    let store = try MetricStore(directory: directory, options: StorageOptions(), logger: logger)
    let seriesCount = 200_000
    let samplesPerSeries = arguments.count > 2 ? Int(arguments[2]) ?? 4 : 4
    let before = residentBytes()
    for start in stride(from: 0, to: seriesCount, by: 1000) {
        for scrape in 0..<samplesPerSeries {
            let batch = (start..<start + 1000).map { i in
                (Labels(["__name__": "bench_metric_\(i % 500)", "instance": "host-\(i / 500):9100", "job": "node", "shard": "\(i % 7)"]),
                 Sample(Int64(scrape) * 15_000, Double(i + scrape * (i % 13))))
            }
            _ = try store.appendSync(batch)
        }
    }
    let after = residentBytes()
    print("memory: \(store.stats.headSeries) head series, \(after - before) bytes resident growth = \((after - before) / Int64(seriesCount)) bytes/series (\(samplesPerSeries) samples each)")
    try store.close()
    try? FileManager.default.removeItem(atPath: directory)

case "otlp":
    let body = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[2])))
    var spans = 0
    let cpuBefore = cpuSeconds()
    let seconds = try elapsed {
        for _ in 0..<200 { spans += try OTLPTraceRequest.decode(body, encoding: .protobuf).spans.count }
    }
    let cpu = cpuSeconds() - cpuBefore
    print("otlp: \(spans) spans decoded and converted in \(String(format: "%.2f", seconds)) s = \(Int(Double(spans) / cpu)) spans/s per core (\(body.count) bytes a body)")

case "traces":
    // SDK-like traces: 8 spans each (a server root, two client→server hops, a DB call, internal
    // work) across 20 services, resources with the 7 attributes the Python SDK sends.
    let total = arguments.count > 2 ? Int(arguments[2]) ?? 10_000_000 : 10_000_000
    let directory = temporaryDirectory("traces")
    let data = try DataDirectory(path: directory, logger: logger)
    let store = try TraceStore(data: data, logger: logger)
    try data.open()
    var random = SplitMix(state: 42)
    let services = (0..<20).map { i in
        SpanResource(attributes: [
            Attribute("telemetry.sdk.language", .string("python")), Attribute("telemetry.sdk.name", .string("opentelemetry")),
            Attribute("telemetry.sdk.version", .string("1.45.2")), Attribute("service.instance.id", .string("pod-\(i)-7f9c")),
            Attribute("service.name", .string("service-\(i)")), Attribute("service.version", .string("1.\(i).0")),
            Attribute("deployment.environment", .string("prod")),
        ])
    }
    let scope = InstrumentationScope(name: "opentelemetry.instrumentation.flask", version: "0.48b0")
    let routes = (0..<25).map { "/api/v1/resource\($0)/{id}" }
    var t0: UInt64 = 1_800_000_000_000_000_000
    var sampleIDs: [TraceID] = []
    func duration(_ r: inout SplitMix, _ scale: Double) -> UInt64 { UInt64(scale * (0.2 + -log(max(r.unit(), 1e-9))) * 1e6) }
    func trace(_ r: inout SplitMix) -> [Span] {
        let id = TraceID(high: r.next(), low: r.next())
        let root = services[Int(r.next() % 20)]
        let hop1 = services[Int(r.next() % 20)], hop2 = services[Int(r.next() % 20)]
        let route = routes[Int(r.next() % 25)]
        let ids = (0..<8).map { _ in SpanID(r.next() | 1) }
        t0 += 1_000_000 // a trace per ms of simulated time
        let rootDuration = duration(&r, 40)
        let status: Int64 = r.next() % 50 == 0 ? 500 : 200
        func span(_ i: Int, parent: Int?, _ resource: SpanResource, _ name: String, _ kind: SpanKind, offset: UInt64, _ d: UInt64,
                  _ attributes: [Attribute]) -> Span {
            Span(traceID: id, spanID: ids[i], parentSpanID: parent.map { ids[$0] } ?? .none, name: name, kind: kind,
                 startUnixNano: t0 + offset, endUnixNano: t0 + offset + d, attributes: attributes,
                 status: SpanStatus(code: status == 500 && i == 0 ? .error : .unset), resource: resource, scope: scope)
        }
        let http: [Attribute] = [Attribute("http.request.method", .string("GET")), Attribute("http.route", .string(route)),
                                 Attribute("http.response.status_code", .int(status))]
        return [
            span(0, parent: nil, root, "GET \(route)", .server, offset: 0, rootDuration, http + [Attribute("url.path", .string("/api/v1/x/\(r.next() % 10_000)"))]),
            span(1, parent: 0, root, "auth", .internal, offset: 100_000, duration(&r, 1), []),
            span(2, parent: 0, root, "GET hop1", .client, offset: 1_000_000, rootDuration / 3, [Attribute("peer.service", .string("hop1"))]),
            span(3, parent: 2, hop1, "GET /hop1", .server, offset: 1_200_000, rootDuration / 4, http),
            span(4, parent: 3, hop1, "SELECT orders", .client, offset: 1_300_000, duration(&r, 3),
                 [Attribute("db.system", .string("postgresql")), Attribute("db.statement", .string("SELECT * FROM orders WHERE id = $1"))]),
            span(5, parent: 0, root, "GET hop2", .client, offset: rootDuration / 2, rootDuration / 3, [Attribute("peer.service", .string("hop2"))]),
            span(6, parent: 5, hop2, "GET /hop2", .server, offset: rootDuration / 2 + 200_000, rootDuration / 4, http),
            span(7, parent: 6, hop2, "render", .internal, offset: rootDuration / 2 + 300_000, duration(&r, 2), []),
        ]
    }
    var appended = 0, refusals = 0
    var appendCPU = 0.0, appendWall = 0.0
    while appended < total {
        var batch: [Span] = []
        batch.reserveCapacity(1000)
        while batch.count < 1000 && appended + batch.count < total {
            let t = trace(&random)
            if sampleIDs.count < 2000 && random.next() % 500 == 0 { sampleIDs.append(t[0].traceID) }
            batch += t
        }
        let cpu = cpuSeconds(), wall = ContinuousClock.now
        // A full head (sealing behind) refuses the batch, as a 503 would: wait and send it again.
        while true {
            do {
                try await store.append(spans: batch)
                break
            } catch let error as StorageError where error.code == .busy {
                refusals += 1
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        appendCPU += cpuSeconds() - cpu
        appendWall += (ContinuousClock.now - wall).inSeconds
        appended += batch.count
        if appended % 1_000_000 < 1000 { FileHandle.standardError.write(Data("\r\(appended) spans".utf8)) }
    }
    try store.sealHead(force: true)
    try data.checkpoint()
    FileHandle.standardError.write(Data("\n".utf8))
    print("traces: \(appended) spans appended (durable, batches of 1000) in \(String(format: "%.1f", appendWall)) s wall, \(String(format: "%.1f", appendCPU)) s CPU = \(Int(Double(appended) / appendCPU)) spans/s per core (store only, no HTTP; \(refusals) batches refused while sealing caught up)")
    var lookups: [Double] = []
    for id in sampleIDs.shuffled() {
        let start = ContinuousClock.now
        let spans = try store.spans(of: id)
        lookups.append((ContinuousClock.now - start).inSeconds * 1000)
        precondition(spans.count == 8, "trace \(id) has \(spans.count) spans")
    }
    lookups.sort()
    print("traces: trace by id over \(lookups.count) random traces: median \(String(format: "%.2f", lookups[lookups.count / 2])) ms, p99 \(String(format: "%.2f", lookups[lookups.count * 99 / 100])) ms")
    var searches: [Double] = []
    var found = 0
    for i in 0..<20 {
        var request = TraceSearchRequest()
        request.service = "service-\(i % 20)"
        request.minDurationNano = 150_000_000
        request.limit = 20
        let start = ContinuousClock.now
        let result = try TraceSearch(querier: store).run(request)
        searches.append((ContinuousClock.now - start).inSeconds * 1000)
        found += result.total
    }
    searches.sort()
    print("traces: Jaeger search by service and minDuration=150ms (limit 20, all \(appended) spans in range): median \(String(format: "%.1f", searches[searches.count / 2])) ms, slowest \(String(format: "%.1f", searches.last!)) ms, \(found / 20) matches on average")
    try store.close()
    try data.close()
    let blocks = directorySize(directory + "/traces")
    let index = fileSize(directory + "/index.sqlite") + fileSize(directory + "/index.sqlite-wal")
    let whole = directorySize(directory)
    func perSpan(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / Double(appended)) }
    print("traces: after close, blocks \(blocks) bytes = \(perSpan(blocks)) bytes/span; index.sqlite \(index) bytes = \(perSpan(index)) bytes/span; whole data dir (WAL checkpoint included) \(whole) bytes = \(perSpan(whole)) bytes/span")
    try? FileManager.default.removeItem(atPath: directory)

case "logs":
    // JSON lines with the field mix of real services: 10 services, levels mostly info, a message
    // with ids and durations, a request id, user, route, status and latency fields, a trace id on
    // most lines. Spread over one hour; 2% of checkout's lines hold "timeout".
    let total = arguments.count > 2 ? Int(arguments[2]) ?? 10_000_000 : 10_000_000
    let directory = temporaryDirectory("logs")
    let data = try DataDirectory(path: directory, logger: logger)
    let store = try LogStore(data: data, logger: logger)
    try data.open()
    var random = SplitMix(state: 7)
    let services = ["checkout", "cart", "payments", "search", "users", "inventory", "shipping", "gateway", "email", "recommend"]
    let routes = ["/api/orders", "/api/cart/items", "/api/pay", "/api/search", "/api/users/me", "/healthz"]
    let hour: Int64 = 3_600_000_000_000
    let t0: Int64 = WallClock.nowNanoseconds() - hour
    var needle = ""
    var rawBytes = 0, appended = 0, decodeCPU = 0.0, appendCPU = 0.0, wall = 0.0
    var options = JSONLinesRequest.Options()
    options.streamLabels = ["service", "level"]
    while appended < total {
        var body: [UInt8] = []
        let n = min(1000, total - appended)
        for i in 0..<n {
            let k = appended + i
            let service = services[Int(random.next() % 10)]
            let roll = random.next() % 100
            let level = roll < 2 ? "error" : roll < 8 ? "warn" : roll < 20 ? "debug" : "info"
            let latency = Int(-log(max(random.unit(), 1e-9)) * 40)
            let request = String(random.next(), radix: 16)
            var msg = "\(routes[Int(random.next() % 6)]) handled in \(latency)ms for order \(random.next() % 100_000)"
            if service == "checkout" && random.next() % 50 == 0 { msg = "upstream timeout after \(latency * 10)ms calling payments" }
            if k == total / 2 { needle = "req-" + request; msg += " " + needle }
            let ts = t0 + Int64(Double(k) / Double(total) * Double(hour))
            let line = "{\"ts\":\(ts),\"level\":\"\(level)\",\"service\":\"\(service)\",\"msg\":\"\(msg)\",\"request_id\":\"\(request)\","
                + "\"user\":\"u\(random.next() % 5000)\",\"status\":\(roll < 2 ? 500 : 200),\"latency_ms\":\(latency),"
                + "\"trace_id\":\"\(String(repeating: "0", count: 16))\(String(format: "%016llx", random.next() | 1))\"}\n"
            body += line.utf8
        }
        rawBytes += body.count
        let c0 = cpuSeconds(), w0 = ContinuousClock.now
        let decoded = JSONLinesRequest.decode(body, json: false, options: options, nowNs: t0 + hour)
        let c1 = cpuSeconds()
        while true {
            do {
                _ = try await store.append(decoded.records)
                break
            } catch let error as StorageError where error.code == .busy {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        decodeCPU += c1 - c0
        appendCPU += cpuSeconds() - c1
        wall += (ContinuousClock.now - w0).inSeconds
        appended += n
        if appended % 1_000_000 == 0 { FileHandle.standardError.write(Data("\r\(appended) lines".utf8)) }
    }
    try store.sealHead(force: true)
    try data.checkpoint()
    FileHandle.standardError.write(Data("\n".utf8))
    let cpu = decodeCPU + appendCPU
    print("logs: \(appended) JSON lines (\(rawBytes / 1_048_576) MiB) decoded and appended durably in batches of 1000: \(Int(Double(appended) / cpu)) lines/s and \(String(format: "%.0f", Double(rawBytes) / cpu / 1_048_576)) MiB/s per core (decode \(String(format: "%.1f", decodeCPU)) s, store \(String(format: "%.1f", appendCPU)) s CPU; \(String(format: "%.1f", wall)) s wall)")
    let engine = LogQueryEngine(store: store)
    func timed(_ text: String, runs: Int = 5) throws -> (Double, String) {
        var best = Double.infinity, shown = ""
        for _ in 0..<runs {
            let start = ContinuousClock.now
            switch try LogQLExpression.parse(text) {
            case .metric(let q):
                let (value, _) = try engine.instant(q, atNs: t0 + hour)
                if case .vector(let v) = value { shown = v.map { "\($0.labels["level"] ?? "")=\(Int($0.sample.value))" }.sorted().joined(separator: " ") }
            case .logs(let q):
                let r = try engine.lines(q, startNs: t0, endNs: t0 + hour, limit: 100, forward: false)
                shown = "\(r.count) line(s), \(r.stats.chunksRead) page(s) read"
            }
            best = min(best, (ContinuousClock.now - start).inSeconds)
        }
        return (best * 1000, shown)
    }
    let count = #"sum by (level) (count_over_time({service="checkout"} |= "timeout" [5m]))"#
    let (countMs, counted) = try timed(count)
    print("logs: \(count) over the last 5 min of \(appended) lines: \(String(format: "%.0f", countMs)) ms (best of 5): \(counted)")
    let wholeHour = #"sum by (level) (count_over_time({service="checkout"} |= "timeout" [1h]))"#
    let (hourMs, hourCounted) = try timed(wholeHour, runs: 3)
    print("logs: the same over the whole hour ([1h]): \(String(format: "%.0f", hourMs)) ms (best of 3): \(hourCounted)")
    let search = "{service=~\".+\"} |= \"\(needle)\""
    let (needleMs, found) = try timed(search)
    print("logs: needle search \(search) over the hour: \(String(format: "%.1f", needleMs)) ms (best of 5): \(found)")
    try store.close()
    try data.close()
    let blocks = directorySize(directory + "/logs")
    let whole = directorySize(directory)
    let totals = (index: fileSize(directory + "/index.sqlite") + fileSize(directory + "/index.sqlite-wal"), 0)
    print("logs: after close, blocks \(blocks) bytes, index.sqlite \(totals.index) bytes, whole data dir \(whole) bytes = \(String(format: "%.3f", Double(whole) / Double(rawBytes))) bytes on disk per raw byte (blocks alone \(String(format: "%.3f", Double(blocks) / Double(rawBytes))))")
    try? FileManager.default.removeItem(atPath: directory)

default:
    print("unknown benchmark \(arguments[1])")
    exit(2)
}
