import ArgumentParser
import Foundation
import LookoutClient
import LookoutModel

/// `lookout logs LOGQL`: lines with time, level and labels (levels coloured on a terminal unless
/// `NO_COLOR` is set), or a metric query's samples now as a table; `--follow` keeps printing new lines.
struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a LogQL query against a Lookout server and print lines or samples.")

    @Argument(help: "The LogQL query, e.g. '{service=\"checkout\"} |= \"timeout\"'.")
    var query: String

    @Option(help: "Server URL (default $LOOKOUT_URL or http://127.0.0.1:4318).")
    var url: String = ProcessInfo.processInfo.environment["LOOKOUT_URL"] ?? "http://127.0.0.1:4318"

    @Option(help: "Bearer token (default $LOOKOUT_TOKEN).")
    var token: String? = ProcessInfo.processInfo.environment["LOOKOUT_TOKEN"]

    @Option(help: "How far back to look (e.g. 15m, 1h, 2d).")
    var since: String = "1h"

    @Option(help: "Most lines to print.")
    var limit: Int = 100

    @Flag(help: "Keep printing lines as they arrive (asks every second).")
    var follow = false

    func run() async throws {
        guard let sinceMs = PromDuration.parse(since), sinceMs > 0 else { throw ValidationError("--since \(since) is not a duration such as 1h") }
        let client = LookoutClient(url: url, token: token)
        let color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        var end = WallClock.nowNanoseconds()
        var start = end - sinceMs * 1_000_000
        var seen = Set<String>()
        repeat {
            let answer: LogQueryResponse
            do {
                // A metric query is asked at one time, now; a log query over the range.
                let isLogQuery = query.drop(while: \.isWhitespace).first == "{"
                answer = isLogQuery ? try await client.logQuery(query, startNs: start, endNs: end, limit: limit, forward: follow)
                                    : try await client.logInstantQuery(query, atNs: end)
            } catch let error as LookoutClientError {
                FileHandle.standardError.write(Data("\(error.message)\n".utf8))
                throw ExitCode(1)
            }
            switch answer {
            case .samples(let response):
                print(QueryTable.render(response.result))
                return
            case .lines(let lines):
                // Oldest first on the terminal, as `tail` prints them (a backward answer is newest first).
                let ordered = (follow ? lines : lines.reversed()).sorted { $0.timestampNs < $1.timestampNs } // stable
                for entry in ordered {
                    let key = "\(entry.timestampNs) \(entry.labels) \(entry.line)"
                    guard seen.insert(key).inserted else { continue }
                    print(Self.format(entry, color: color))
                }
                if let newest = lines.map(\.timestampNs).max() { start = max(start, newest) }
            }
            guard follow else { return }
            try await Task.sleep(for: .seconds(1))
            end = WallClock.nowNanoseconds()
            if seen.count > 100_000 { seen.removeAll() }
        } while true
    }

    static func format(_ entry: (labels: Labels, timestampNs: Int64, line: String), color: Bool) -> String {
        let level = LogLevel(text: entry.labels["level"] ?? entry.labels["severity"] ?? "")
        let time = RFC3339.format(entry.timestampNs / 1_000_000)
        let name = level.name.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)
        let code: String = switch level {
        case .error, .fatal: "31"
        case .warn: "33"
        case .info: "32"
        case .debug, .trace: "36"
        default: "0"
        }
        let shown = entry.labels.filter { $0.name != "level" }
        let labels = "{" + shown.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
        return color ? "\(time) \u{1B}[\(code)m\(name)\u{1B}[0m \u{1B}[2m\(labels)\u{1B}[0m \(entry.line)"
                     : "\(time) \(name) \(labels) \(entry.line)"
    }
}
