/// One value of a series at a time in milliseconds since the Unix epoch.
public struct Sample: Hashable, Sendable {
    public var timestamp: Int64
    public var value: Double

    public init(_ timestamp: Int64, _ value: Double) {
        self.timestamp = timestamp
        self.value = value
    }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.timestamp == rhs.timestamp && lhs.value.bitPattern == rhs.value.bitPattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timestamp)
        hasher.combine(value.bitPattern)
    }
}

/// Prometheus's staleness marker: a NaN with a distinct bit pattern that ends a series.
public enum StaleMarker {
    public static let bits: UInt64 = 0x7ff0_0000_0000_0002
    public static let value = Double(bitPattern: bits)

    public static func isStale(_ value: Double) -> Bool { value.bitPattern == bits }
}

/// A series and its samples in time order.
public struct SeriesData: Sendable, Equatable {
    public var labels: Labels
    public var samples: [Sample]

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }
}
