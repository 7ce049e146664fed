/// logfmt pairs, as Tempo's `tags` search parameter and LogQL's `| logfmt` take them: `key=value key2="quoted value"`.
public enum Logfmt {
    public static func pairs(_ text: String) -> [(key: String, value: String)]? {
        var pairs: [(key: String, value: String)] = []
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0 == " " }
            guard !rest.isEmpty else { return pairs }
            guard let eq = rest.firstIndex(of: "=") else { return nil }
            let key = String(rest[..<eq])
            guard !key.isEmpty, !key.contains(" ") else { return nil }
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
