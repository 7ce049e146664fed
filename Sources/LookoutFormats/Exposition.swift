import LookoutModel

/// A whole parsed exposition body: its samples in order and the metadata of its families.
public struct Exposition: Sendable, Equatable {
    /// Every sample, in the order of the body.
    public var samples: [ScrapedSample]
    /// One entry per family that had `# HELP`, `# TYPE` or `# UNIT`, in order of first appearance.
    public var metadata: [MetricMetadata]

    public init(samples: [ScrapedSample] = [], metadata: [MetricMetadata] = []) {
        self.samples = samples
        self.metadata = metadata
    }
}
