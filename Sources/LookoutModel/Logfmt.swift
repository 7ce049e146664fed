/// logfmt pairs, as Tempo's `tags` search parameter and LogQL's `| logfmt` take them: `key=value key2="quoted value"`.
public enum Logfmt {
    /// The pairs of `text`, nil when it is not logfmt. `skippingBareKeys`: a word without `=` is
    /// passed over (LogQL's `| logfmt`, which drops keys without values, as Loki does).
    public static func pairs(_ text: String, skippingBareKeys: Bool = false) -> [(key: String, value: String)]? {
        var pairs: [(key: String, value: String)] = []
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0 == " " }
            guard !rest.isEmpty else { return pairs }
            let wordEnd = rest.firstIndex(of: " ") ?? rest.endIndex
            guard let eq = rest[..<wordEnd].firstIndex(of: "=") else {
                guard skippingBareKeys, !rest[..<wordEnd].contains("\"") else { return nil }
                rest = rest[wordEnd...]
                continue
            }
            let key = String(rest[..<eq])
            guard !key.isEmpty else { return nil }
            rest = rest[rest.index(after: eq)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var closed = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if escaped { value.append(c); escaped = false }
                    else if c == "\\" { escaped = true }
                    else if c == "\"" { closed = true; break }
                    else { value.append(c) }
                }
                guard closed else { return nil }
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            pairs.append((key, value))
        }
    }
}
