import ArgumentParser
import Foundation
import LookoutClient
import LookoutModel

/// `lookout trace ID`: print one trace as an indented waterfall.
struct Trace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a trace as a waterfall: durations, services, errors.")

    @Argument(help: "The trace id (32 hex digits).")
    var id: String

    @Option(help: "Server URL (default $LOOKOUT_URL or http://127.0.0.1:4318).")
    var url: String = ProcessInfo.processInfo.environment["LOOKOUT_URL"] ?? "http://127.0.0.1:4318"

    @Option(help: "Bearer token (default $LOOKOUT_TOKEN).")
    var token: String? = ProcessInfo.processInfo.environment["LOOKOUT_TOKEN"]

    func run() async throws {
        let spans: [LookoutModel.Span]
        do {
            spans = try await LookoutClient(url: url, token: token).trace(id)
        } catch let error as LookoutClientError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        guard !spans.isEmpty else {
            FileHandle.standardError.write(Data("trace \(id) not found\n".utf8))
            throw ExitCode(1)
        }
        print(TraceWaterfall.render(spans), terminator: "")
    }
}

/// `lookout traces --service S`: list recent traces of a service, newest first.
struct Traces: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List recent traces of a service (newest first).")

    @Option(help: "The service (resource service.name).")
    var service: String

    @Option(name: .customLong("min-duration"), help: "Only spans at least this long, e.g. 250ms.")
    var minDuration: String?

    @Flag(help: "Only spans with status error.")
    var errors = false

    @Option(help: "At most this many traces.")
    var limit = 20

    @Option(help: "Server URL (default $LOOKOUT_URL or http://127.0.0.1:4318).")
    var url: String = ProcessInfo.processInfo.environment["LOOKOUT_URL"] ?? "http://127.0.0.1:4318"

    @Option(help: "Bearer token (default $LOOKOUT_TOKEN).")
    var token: String? = ProcessInfo.processInfo.environment["LOOKOUT_TOKEN"]

    func validate() throws {
        if let minDuration, GoDuration.nanoseconds(minDuration) == nil {
            throw ValidationError("--min-duration must be a duration such as 250ms or 1.5s, not \(minDuration.debugDescription)")
        }
    }

    func run() async throws {
        var conditions = ["resource.service.name = \(Self.quote(service))"]
        if let minDuration { conditions.append("duration >= \(minDuration)") }
        if errors { conditions.append("status = error") }
        let hits: [LookoutClient.TraceHit]
        do {
            hits = try await LookoutClient(url: url, token: token)
                .searchTraces(traceQL: "{ " + conditions.joined(separator: " && ") + " }", limit: limit)
        } catch let error as LookoutClientError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        guard !hits.isEmpty else {
            print("no traces")
            return
        }
        let rows = hits.map { h in
            [h.traceID, RFC3339.format(Int64(h.startUnixNano / 1_000_000)),
             TraceWaterfall.duration(UInt64(h.durationMs) * 1_000_000), h.rootServiceName, h.rootTraceName]
        }
        let header = ["TRACE", "START", "DURATION", "ROOT SERVICE", "ROOT SPAN"]
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max()! }
        for row in [header] + rows {
            print(row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
        }
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
