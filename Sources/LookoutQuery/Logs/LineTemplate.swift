import LookoutModel

/// The templates of `| line_format` and `| label_format`, the part of Go's text/template that log
/// queries use: text with `{{.name}}` (or `{{ .name }}`) replaced by the line's label, and
/// `{{__line__}}` and `{{__timestamp__}}` by the line and its time. A missing label is empty.
public struct LineTemplate: Sendable {
    enum Part: Sendable {
        case text(String)
        case label(String)
        case line
        case timestamp
    }

    let parts: [Part]

    public struct Invalid: Error, Sendable {
        public var reason: String
    }

    public init(_ text: String) throws(Invalid) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw Invalid(reason: "unclosed action {{ in template") }
            let action = rest[open.upperBound..<close.lowerBound].trimmingSpaces
            if action == "__line__" {
                parts.append(.line)
            } else if action == "__timestamp__" {
                parts.append(.timestamp)
            } else if action.hasPrefix("."), action.dropFirst().allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }),
                      action.count > 1 {
                parts.append(.label(String(action.dropFirst())))
            } else {
                throw Invalid(reason: "template action {{\(action)}} is not supported by Lookout (only {{.label}}, {{__line__}}, {{__timestamp__}})")
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    func render(labels: [String: String], line: String, timestampNs: Int64) -> String {
        var out = ""
        for p in parts {
            switch p {
            case .text(let t): out += t
            case .label(let name): out += labels[name] ?? ""
            case .line: out += line
            case .timestamp: out += RFC3339Nano.format(timestampNs)
            }
        }
        return out
    }
}

/// RFC 3339 with nanoseconds in UTC, as Go prints a `time.Time` in templates.
enum RFC3339Nano {
    static func format(_ ns: Int64) -> String {
        let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        let frac = ns - seconds * 1_000_000_000
        var out = String(RFC3339.format(seconds * 1000).dropLast(5)) // "….000Z"
        if frac > 0 {
            var f = String(frac)
            f = String(repeating: "0", count: 9 - f.count) + f
            while f.hasSuffix("0") { f.removeLast() }
            out += "." + f
        }
        return out + "Z"
    }
}
