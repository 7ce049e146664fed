import LookoutModel

extension SilenceRecord {
    public enum State: String, Sendable { case pending, active, expired }

    public func state(at now: Int64) -> State {
        if now < startsAt { return .pending }
        return now < endsAt ? .active : .expired
    }

    /// The matchers as label matchers; nil if a regex does not compile.
    public var labelMatchers: [LabelMatcher]? {
        var out: [LabelMatcher] = []
        for m in matchers {
            let kind: LabelMatcher.Kind = m.isRegex ? (m.isEqual ? .regexMatch : .regexNoMatch) : (m.isEqual ? .equal : .notEqual)
            guard let matcher = try? LabelMatcher(m.name, kind, m.value) else { return nil }
            out.append(matcher)
        }
        return out
    }

    public func mutes(_ labels: Labels, at now: Int64) -> Bool {
        guard state(at: now) == .active, let matchers = labelMatchers else { return false }
        return matchers.matches(labels)
    }
}
