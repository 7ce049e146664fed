import Foundation
import LookoutModel

/// Renders a Prometheus API `data` object as an aligned text table.
enum QueryTable {
    static func render(_ data: [String: Any]) -> String {
        let result = data["result"]
        var rows: [[String]] = [["SERIES", "TIME", "VALUE"]]
        func series(_ metric: Any?) -> String {
            let labels = Labels((metric as? [String: String]) ?? [:])
            return labels.isEmpty ? "{}" : labels.description
        }
        func point(_ value: Any?) -> (String, String) {
            guard let pair = value as? [Any], pair.count == 2 else { return ("", "") }
            let time = (pair[0] as? Double).map { String(format: "%.3f", $0) } ?? "\(pair[0])"
            return (time, "\(pair[1])")
        }
        switch data["resultType"] as? String {
        case "vector":
            for item in result as? [[String: Any]] ?? [] {
                let (time, value) = point(item["value"])
                rows.append([series(item["metric"]), time, value])
            }
        case "matrix":
            for item in result as? [[String: Any]] ?? [] {
                for value in item["values"] as? [Any] ?? [] {
                    let (time, text) = point(value)
                    rows.append([series(item["metric"]), time, text])
                }
            }
        default:
            let (time, value) = point(result)
            rows.append(["scalar", time, value])
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
