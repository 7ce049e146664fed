/// How the series of two vectors are paired in a binary operation.
public struct VectorMatching: Sendable, Equatable {
    /// Which side may have several series per match group.
    public enum Cardinality: Sendable, Equatable {
        case oneToOne, manyToOne, oneToMany, manyToMany
    }

    public var cardinality: Cardinality
    /// `on` (true) or `ignoring` (false) labels.
    public var on: Bool
    public var labels: [String]
    /// Extra labels named in `group_left`/`group_right`, copied from the "one" side.
    public var include: [String]

    public init(cardinality: Cardinality = .oneToOne, on: Bool = false, labels: [String] = [], include: [String] = []) {
        self.cardinality = cardinality
        self.on = on
        self.labels = labels
        self.include = include
    }
}
