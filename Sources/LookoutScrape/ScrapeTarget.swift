import Foundation
import LookoutModel

/// One endpoint to scrape, with the labels every series from it gets.
public struct ScrapeTarget: Sendable, Hashable {
    /// `job`, `instance` and the target group's labels.
    public var labels: Labels
    /// Labels before `job` and `instance` were added, as `/api/v1/targets` shows them.
    public var discoveredLabels: Labels
    public var url: String
    public var config: ScrapeConfig

    public init(address: String, group: TargetGroup, config: ScrapeConfig) {
        var discovered = group.labels
        discovered["__address__"] = address
        discovered["__metrics_path__"] = config.metricsPath
        discovered["__scheme__"] = config.scheme
        discovered["job"] = config.jobName
        self.discoveredLabels = Labels(discovered)
        var labels = group.labels
        labels["job"] = labels["job"] ?? config.jobName
        labels["instance"] = labels["instance"] ?? address
        self.labels = Labels(labels)
        var url = "\(config.scheme)://\(address)\(config.metricsPath)"
        let query = config.params.sorted { $0.key < $1.key }.flatMap { key, values in
            values.map { "\(Self.percentEncode(key))=\(Self.percentEncode($0))" }
        }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        self.url = url
        self.config = config
    }

    public var job: String { config.jobName }

    /// A stable point within the interval, so targets spread out and each keeps a regular grid.
    public var offset: Int64 {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in (url + job).utf8 {
            hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211
        }
        return Int64(hash % UInt64(max(config.scrapeInterval, 1)))
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let safe = (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == 45 || byte == 46 || byte == 95 || byte == 126
            out += safe ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }
        return out
    }

    public static func == (lhs: ScrapeTarget, rhs: ScrapeTarget) -> Bool {
        lhs.url == rhs.url && lhs.labels == rhs.labels && lhs.config == rhs.config
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(url)
        hasher.combine(labels)
    }
}

