/// A regular expression that must match a whole string (Prometheus anchors label matchers), in
/// RE2 syntax and linear time (`RE2Regex`), with a fast path for plain literals and
/// `literal|literal` alternations, the common shapes in selectors.
///
/// Thread-safety: immutable after init.
public final class AnchoredRegex: Sendable, Hashable {
    public let pattern: String
    private let literals: Set<String>?
    private let regex: RE2Regex?

    public init(_ pattern: String) throws {
        self.pattern = pattern
        let meta = Set("\\^$.|?*+()[]{}")
        let alternatives = pattern.split(separator: "|", omittingEmptySubsequences: false)
        if !pattern.contains(where: { $0 != "|" && meta.contains($0) }) {
            literals = Set(alternatives.map(String.init))
            regex = nil
        } else {
            literals = nil
            do {
                regex = try RegexCache.compiled("^(?:" + pattern + ")$")
            } catch {
                throw LabelMatcherError(pattern: pattern, message: "\(error)")
            }
        }
    }

    public func matches(_ candidate: String) -> Bool {
        if let literals { return literals.contains(candidate) }
        return regex!.fullMatch(candidate)
    }

    public static func == (lhs: AnchoredRegex, rhs: AnchoredRegex) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
