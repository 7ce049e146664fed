/// What `ExpositionParser` refuses while it reads a body, with Prometheus's scrape-config names:
/// the first breach stops the parse with an `ExpositionError` whose `limitExceeded` is set, so a
/// hostile body costs work in proportion to the limit, not to its size. 0 means no limit.
public struct ExpositionLimits: Sendable, Equatable {
    /// Samples in the body (`sample_limit`).
    public var sampleLimit: Int
    /// Labels with a value in one sample's set, `__name__` included (`label_limit`).
    public var labelLimit: Int
    /// Bytes in a label name (`label_name_length_limit`).
    public var labelNameLengthLimit: Int
    /// Bytes in a label value, unescaped (`label_value_length_limit`).
    public var labelValueLengthLimit: Int
    /// When parsing must stop (the scrape's timeout).
    public var deadline: ContinuousClock.Instant?

    public init(sampleLimit: Int = 0, labelLimit: Int = 0, labelNameLengthLimit: Int = 0,
                labelValueLengthLimit: Int = 0, deadline: ContinuousClock.Instant? = nil) {
        self.sampleLimit = sampleLimit
        self.labelLimit = labelLimit
        self.labelNameLengthLimit = labelNameLengthLimit
        self.labelValueLengthLimit = labelValueLengthLimit
        self.deadline = deadline
    }

    /// Nothing refused.
    public static let none = ExpositionLimits()
}
