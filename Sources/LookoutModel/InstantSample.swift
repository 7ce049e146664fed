
/// One element of an instant vector: a series' labels and its value at the evaluation time.
public struct InstantSample: Sendable, Equatable {
    public var labels: Labels
    public var sample: Sample

    public init(labels: Labels, sample: Sample) {
        self.labels = labels
        self.sample = sample
    }
}
