import Foundation
import LookoutClient
import LookoutModel

/// Renders a query result as an aligned text table: series, time (unix seconds), value.
enum QueryTable {
    static func render(_ result: QueryValue) -> String {
        var rows: [[String]] = [["SERIES", "TIME", "VALUE"]]
        func series(_ labels: Labels) -> String { labels.isEmpty ? "{}" : labels.description }
        func time(_ ms: Int64) -> String { String(format: "%.3f", Double(ms) / 1000) }
        switch result {
        case .vector(let items):
            for item in items { rows.append([series(item.labels), time(item.sample.timestamp), PromNumber.format(item.sample.value)]) }
        case .matrix(let all):
            for s in all {
                for sample in s.samples { rows.append([series(s.labels), time(sample.timestamp), PromNumber.format(sample.value)]) }
            }
        case .scalar(let sample):
            rows.append(["scalar", time(sample.timestamp), PromNumber.format(sample.value)])
        case .string(let text, let at):
            rows.append(["string", time(at), text])
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
