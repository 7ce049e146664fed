import AsyncHTTPClient
import Foundation
import Logging
import LookoutModel
import NIOPosix

/// Scrapes one target forever on its own grid (`offset` within each interval) until cancelled,
/// then writes stale markers for everything it had reported.
struct ScrapeLoop: Sendable {
    static let accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    static let maxBodyBytes = 64 << 20

    let target: ScrapeTarget
    let client: HTTPClient
    /// Where bodies are parsed: off the cooperative pool, so a slow body cannot starve tasks.
    let parsePool: NIOThreadPool
    let appender: any MetricAppender
    /// Where OpenMetrics exemplars go; nil drops them.
    let exemplars: (any ExemplarStorage)?
    let registry: ScrapeRegistry
    let metrics: ScrapeMetrics
    let logger: Logger

    func run() async {
        let cycle = CycleBox(ScrapeCycle(target: target))
        let interval = target.config.scrapeInterval
        while !Task.isCancelled {
            let now = WallClock.nowMilliseconds()
            let next = Self.nextTick(after: now, interval: interval, offset: target.offset)
            do {
                try await Task.sleep(for: .milliseconds(next - now))
            } catch {
                break
            }
            await scrapeOnce(cycle, at: next)
        }
        // Target removed or shutting down: end its series so queries stop showing them.
        let time = WallClock.nowMilliseconds()
        _ = try? await appender.append(refs: cycle.value.markAllStale(at: time), waitUntilDurable: true)
        _ = try? await appender.append(cycle.value.staleReport(at: time))
    }

    /// The first time at or after `now` that sits at `offset` within the interval grid.
    static func nextTick(after now: Int64, interval: Int64, offset: Int64) -> Int64 {
        let base = now - now % interval + offset
        return base >= now ? base : base + interval
    }

    func scrapeOnce(_ cycle: CycleBox, at time: Int64) async {
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(target.config.scrapeTimeout)
        var batch: [(ref: SeriesRef, sample: Sample)] = []
        var scraped = 0
        var seriesAdded = 0
        var errorText = ""
        var metadata: [MetricMetadata]?
        do {
            let (body, contentType) = try await fetch()
            let output = try await parsePool.runIfActive { [appender] in
                try cycle.value.process(body: body, contentType: contentType, at: time, deadline: deadline, appender: appender)
            }
            batch = output.samples
            scraped = output.scraped
            seriesAdded = output.seriesAdded
            metadata = output.metadata
            if let exemplars, !output.exemplars.isEmpty {
                do { try exemplars.record(output.exemplars) } catch {
                    logger.error("storing exemplars failed", metadata: ["scrape.target": "\(target.url)", "error": "\(error)"])
                }
            }
        } catch {
            errorText = ScrapeCycle.shortened("\(error)", to: 500)
            batch = cycle.value.markAllStale(at: time)
        }
        let duration = (ContinuousClock.now - started).inSeconds
        let up = errorText.isEmpty
        let samples = batch.count
        do {
            // One append per scrape, samples and report together; no client waits for a scrape, so
            // it is not held until the WAL's fsync (the WAL writes it at once).
            batch += try cycle.value.reportByRef(up: up, duration: duration, scraped: scraped, postRelabeling: up ? scraped : 0,
                                           seriesAdded: seriesAdded, at: time, appender: appender)
            _ = try await appender.append(refs: batch, waitUntilDurable: false)
        } catch {
            errorText = errorText.isEmpty ? "storing samples failed: \(error)" : errorText
            logger.error("storing scrape failed", metadata: ["scrape.target": "\(target.url)", "error": "\(error)"])
        }
        metrics.record(success: errorText.isEmpty, duration: duration, samples: up ? samples : 0)
        registry.update(target, metadata: metadata) { health in
            health.state = errorText.isEmpty ? .up : .down
            health.lastError = errorText
            health.lastScrape = time
            health.lastScrapeDuration = duration
        }
        if !errorText.isEmpty {
            logger.warning("scrape failed", metadata: ["scrape.target": "\(target.url)", "scrape.job": "\(target.job)", "error": "\(errorText)"])
        }
    }

    /// The loop's `ScrapeCycle`, which a parse on `parsePool` mutates in place (no copy of its
    /// cache). Only one scrape of the loop runs at a time, which is what makes it safe to send.
    final class CycleBox: @unchecked Sendable {
        var value: ScrapeCycle
        init(_ value: ScrapeCycle) { self.value = value }
    }

    func fetch() async throws -> ([UInt8], String?) {
        var request = HTTPClientRequest(url: target.url)
        request.headers.add(name: "Accept", value: Self.accept)
        request.headers.add(name: "Accept-Encoding", value: "gzip")
        request.headers.add(name: "User-Agent", value: "Lookout/\(BuildInfo.version)")
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: "\(Double(target.config.scrapeTimeout) / 1000)")
        let response = try await client.execute(request, timeout: .milliseconds(target.config.scrapeTimeout))
        guard response.status == .ok else {
            throw ScrapeCycle.Failure(message: "server returned HTTP status \(response.status.code) \(response.status.reasonPhrase)")
        }
        let body = try await response.body.collect(upTo: Self.maxBodyBytes)
        return (Array(body.readableBytesView), response.headers.first(name: "Content-Type"))
    }
}
