import LookoutModel

/// The `@` modifier: a fixed evaluation time in milliseconds, or the query's start or end.
public enum AtModifier: Sendable, Equatable, CustomStringConvertible {
    case timestamp(Int64)
    case start
    case end

    public var description: String {
        switch self {
        case .timestamp(let ms):
            let sign = ms < 0 ? "-" : ""
            let a = ms.magnitude
            let frac = String(a % 1000)
            return "@ \(sign)\(a / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
        case .start: return "@ start()"
        case .end: return "@ end()"
        }
    }

    /// The time this modifier pins evaluation to, given the query's start and end.
    func resolve(start: Int64, end: Int64) -> Int64 {
        switch self {
        case .timestamp(let ms): return ms
        case .start: return start
        case .end: return end
        }
    }
}

func modifierSuffix(at: AtModifier?, offset: Int64) -> String {
    var out = ""
    if let at { out += " \(at)" }
    if offset > 0 { out += " offset \(PromDuration.format(offset))" }
    if offset < 0 { out += " offset -\(PromDuration.format(-offset))" }
    return out
}
