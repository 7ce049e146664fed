import ArgumentParser
import AsyncHTTPClient
import Foundation

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
        var params = [("query", expr)]
        let path: String
        if start != nil || end != nil || step != nil {
            guard let start, let end else { throw ValidationError("a range query needs --start and --end") }
            params += [("start", start), ("end", end), ("step", step ?? "60")]
            path = "/api/v1/query_range"
        } else {
            if let time { params.append(("time", time)) }
            path = "/api/v1/query"
        }
        var components = URLComponents(string: url + path)
        components?.queryItems = params.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let requestURL = components?.url?.absoluteString else { throw ValidationError("bad --url \(url)") }
        var request = HTTPClientRequest(url: requestURL)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(130))
        let body = try await response.body.collect(upTo: 256 << 20)
        let data = Data(body.readableBytesView)
        if output == .json {
            FileHandle.standardOutput.write(data)
            print()
            if response.status.code >= 400 { throw ExitCode(1) }
            return
        }
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("the server did not answer JSON")
        }
        if json["status"] as? String != "success" {
            FileHandle.standardError.write(Data("error (\(json["errorType"] ?? "")): \(json["error"] ?? "")\n".utf8))
            throw ExitCode(1)
        }
        print(QueryTable.render(json["data"] as? [String: Any] ?? [:]))
    }
}
