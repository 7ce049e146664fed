import LookoutFormats
import LookoutModel

/// Turns scrape bodies into the samples to store, one scrape at a time, and remembers which series
/// the last good scrape had so that vanished series get staleness markers.
///
/// Rules, as in Prometheus:
/// 1. A scrape that fails (transport, parse, `sample_limit`, `label_limit`) stores none of its samples.
/// 2. A series present in the previous successful scrape and absent now gets a stale marker at the
///    scrape time; after a failed scrape every previous series does.
/// 3. With `honor_labels: false`, a scraped label that clashes with a target label is kept as
///    `exported_<name>`; with `true`, the scraped value wins.
public struct ScrapeCycle: Sendable {
    public let target: ScrapeTarget
    private var previous: Set<Labels> = []

    public init(target: ScrapeTarget) {
        self.target = target
    }

    /// The outcome of one good scrape.
    public struct Output: Sendable {
        public var samples: [(labels: Labels, sample: Sample)]
        public var scraped: Int
        public var metadata: [MetricMetadata]
    }

    /// Why a scrape produced nothing.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses a body and returns every sample to append, stale markers included.
    public mutating func process(body: [UInt8], contentType: String?, at time: Int64) throws(Failure) -> Output {
        let exposition: Exposition
        do {
            exposition = try ExpositionParser(format: ExpositionFormat(contentType: contentType)).parse(body)
        } catch {
            throw Failure(message: "parse error at \(error)")
        }
        let config = target.config
        if config.sampleLimit > 0 && exposition.samples.count > config.sampleLimit {
            throw Failure(message: "sample_limit exceeded: \(exposition.samples.count) samples > limit \(config.sampleLimit)")
        }
        var out: [(labels: Labels, sample: Sample)] = []
        out.reserveCapacity(exposition.samples.count + previous.count / 8)
        var seen = Set<Labels>(minimumCapacity: exposition.samples.count)
        for scraped in exposition.samples {
            let labels = merge(scraped.labels)
            if config.labelLimit > 0 && labels.count > config.labelLimit {
                throw Failure(message: "label_limit exceeded: series \(labels) has \(labels.count) labels > limit \(config.labelLimit)")
            }
            let timestamp = config.honorTimestamps ? (scraped.timestamp ?? time) : time
            out.append((labels, Sample(timestamp, scraped.value)))
            seen.insert(labels)
        }
        for gone in previous where !seen.contains(gone) {
            out.append((gone, Sample(time, StaleMarker.value)))
        }
        previous = seen
        return Output(samples: out, scraped: exposition.samples.count, metadata: exposition.metadata)
    }

    /// The stale markers to store after a failed scrape (or when the target goes away).
    public mutating func markAllStale(at time: Int64) -> [(labels: Labels, sample: Sample)] {
        defer { previous = [] }
        return previous.map { ($0, Sample(time, StaleMarker.value)) }
    }

    /// `up`, `scrape_duration_seconds` and friends, labelled with the target's labels.
    public func report(up: Bool, duration: Double, scraped: Int, postRelabeling: Int, seriesAdded: Int,
                       at time: Int64) -> [(labels: Labels, sample: Sample)] {
        let values: [(String, Double)] = [
            ("up", up ? 1 : 0),
            ("scrape_duration_seconds", duration),
            ("scrape_samples_scraped", Double(scraped)),
            ("scrape_samples_post_metric_relabeling", Double(postRelabeling)),
            ("scrape_series_added", Double(seriesAdded)),
        ]
        return values.map { name, value in
            (target.labels.setting(Labels.metricName, to: name), Sample(time, value))
        }
    }

    /// Stale markers for the report series, for a target that was removed.
    public func staleReport(at time: Int64) -> [(labels: Labels, sample: Sample)] {
        report(up: false, duration: 0, scraped: 0, postRelabeling: 0, seriesAdded: 0, at: time).map {
            ($0.labels, Sample(time, StaleMarker.value))
        }
    }

    func merge(_ scraped: Labels) -> Labels {
        var pairs = scraped.pairs
        for label in target.labels.pairs {
            if let index = pairs.firstIndex(where: { $0.name == label.name }) {
                if target.config.honorLabels { continue }
                let exported = Label("exported_" + label.name, pairs[index].value)
                pairs[index] = label
                pairs.append(exported)
            } else {
                pairs.append(label)
            }
        }
        return Labels(pairs)
    }
}
