import Foundation

/// Jaeger's `tags` search parameter: a JSON object of strings, `{"http.status_code":"500"}`;
/// numbers and booleans are taken as their text, as Jaeger's UI may send them.
enum JaegerTags {
    static func parse(_ text: String) -> [(key: String, value: String)]? {
        guard let object = try? JSONDecoder().decode([String: Value].self, from: Data(text.utf8)) else { return nil }
        return object.sorted { $0.key < $1.key }.map { ($0.key, $0.value.text) }
    }

    private struct Value: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { text = s }
            else if let b = try? c.decode(Bool.self) { text = b ? "true" : "false" }
            else if let i = try? c.decode(Int64.self) { text = String(i) }
            else { text = "\(try c.decode(Double.self))" }
        }
    }
}
