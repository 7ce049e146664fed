import ArgumentParser
import Foundation
import Hummingbird
import Logging
import LookoutServer
import ServiceLifecycle

/// `lookout serve`: the collector on its embedded storage.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the collector: scrape, store and serve the query APIs.")

    @Option(help: "Config file (default config/lookout.yaml when it exists).")
    var config: String?

    @Option(help: "Address to listen on, HOST:PORT (overrides server.listen).")
    var listen: String?

    @Option(help: "Data directory (overrides storage.path).")
    var data: String?

    @Flag(help: "Allow listening on a non-loopback address without auth tokens.")
    var insecureNoAuth = false

    func run() async throws {
        LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        let logger = Logger(label: "lookout")
        var settings = try loadConfig()
        if let listen {
            guard ListenAddress(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, got \"\(listen)\"") }
            settings.server.listen = listen
        }
        if let data { settings.storage.path = data }
        let address = ListenAddress(settings.server.listen)!
        if !address.isLoopback && settings.server.tokens.isEmpty && !insecureNoAuth {
            throw ValidationError("refusing to listen on \(settings.server.listen) with no auth tokens: add server.auth.tokens or pass --insecure-no-auth")
        }
        let runtime = LookoutRuntime(config: settings, logger: logger)
        let listenText = settings.server.listen
        let progress = ReplayProgress()
        // Shut down in reverse order: scraping stops (stale markers written), then retention, then
        // storage closes.
        let services: [any Service] = [
            StorageService(runtime: runtime, progress: { progress.update(done: $0, total: $1) }),
            RetentionService(runtime: runtime),
            SpanMetricsService(runtime: runtime),
            NotifierService(runtime: runtime),
            RulesService(runtime: runtime),
            ScrapeService(runtime: runtime),
        ]
        let app = try LookoutHTTPServer.application(runtime: runtime, services: services) {
            logger.info("listening", metadata: ["server.listen": "\(listenText)"])
        }
        try await app.runService()
        logger.info("stopped")
    }

    func loadConfig() throws -> LookoutConfig {
        let defaultPath = "config/lookout.yaml"
        if let config { return try ConfigLoader.load(file: config) }
        if FileManager.default.fileExists(atPath: defaultPath) { return try ConfigLoader.load(file: defaultPath) }
        return LookoutConfig()
    }
}
