import ArgumentParser
import Foundation
import LookoutClient

/// `lookout query EXPR`: run PromQL against a server and print a table or the raw JSON.
struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a PromQL query against a Lookout server.")

    enum Output: String, ExpressibleByArgument { case table, json }

    @Argument(help: "The PromQL expression.")
    var expr: String

    @Option(help: "Server URL (default $LOOKOUT_URL or http://127.0.0.1:4318).")
    var url: String = ProcessInfo.processInfo.environment["LOOKOUT_URL"] ?? "http://127.0.0.1:4318"

    @Option(help: "Bearer token (default $LOOKOUT_TOKEN).")
    var token: String? = ProcessInfo.processInfo.environment["LOOKOUT_TOKEN"]

    @Option(help: "Evaluation time for an instant query (RFC 3339 or unix seconds).")
    var time: String?

    @Option(help: "Range start (RFC 3339 or unix seconds).")
    var start: String?

    @Option(help: "Range end (RFC 3339 or unix seconds).")
    var end: String?

    @Option(help: "Range step (e.g. 15s, 1m).")
    var step: String?

    @Option(help: "table or json.")
    var output: Output = .table

    func run() async throws {
        let client = LookoutClient(url: url, token: token)
        let response: QueryResponse
        do {
            if start != nil || end != nil || step != nil {
                guard let start, let end else { throw ValidationError("a range query needs --start and --end") }
                response = try await client.queryRange(expr, start: start, end: end, step: step ?? "60")
            } else {
                response = try await client.query(expr, time: time)
            }
        } catch let error as LookoutClientError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        if output == .json {
            FileHandle.standardOutput.write(Data(response.body))
            print()
        } else {
            print(QueryTable.render(response.result))
        }
    }
}
