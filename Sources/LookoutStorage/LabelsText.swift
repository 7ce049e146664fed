import LookoutModel

/// The canonical text of a label set stored in `series.labels`: `{name="value",name2="value2"}` with
/// pairs sorted by name; in values `\`, `"` and newline are escaped as `\\`, `\"`, `\n`; in names `\`
/// and `=` as `\\` and `\=` (UTF-8 label names may hold any character). See `docs/format/index.md`.
enum LabelsText {
    static func encode(_ labels: Labels) -> String {
        var out = "{"
        var first = true
        for label in labels {
            if !first { out += "," }
            first = false
            if label.name.contains(where: { $0 == "\\" || $0 == "=" }) {
                for ch in label.name {
                    if ch == "\\" || ch == "=" { out.append("\\") }
                    out.append(ch)
                }
            } else {
                out += label.name
            }
            out += "=\""
            out += Labels.escape(label.value)
            out += "\""
        }
        out += "}"
        return out
    }

    static func decode(_ text: String) -> Labels? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        var i = 1
        var pairs: [Label] = []
        let end = bytes.count - 1
        while i < end {
            var name: [UInt8] = []
            while i < end && bytes[i] != UInt8(ascii: "=") {
                if bytes[i] == UInt8(ascii: "\\") && i + 1 < end { i += 1 }
                name.append(bytes[i])
                i += 1
            }
            guard i + 1 < end, bytes[i + 1] == UInt8(ascii: "\"") else { return nil }
            i += 2
            var value: [UInt8] = []
            while i < end && bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") && i + 1 < end {
                    i += 1
                    value.append(bytes[i] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : bytes[i])
                } else {
                    value.append(bytes[i])
                }
                i += 1
            }
            guard i < end else { return nil }
            i += 1 // closing quote
            pairs.append(Label(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            if i < end {
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        }
        return Labels(sortedPairs: pairs)
    }
}
