import ArgumentParser

/// The `lookout` command: a thin front that parses arguments and wires the library targets together.
@main
struct Lookout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookout",
        abstract: "Metrics, logs, traces and alerts in one binary.",
        version: "0.1.0",
        subcommands: [Serve.self, Check.self, TestCommand.self, SLOCommand.self, Import.self, Query.self, Logs.self, Trace.self, Traces.self, Repair.self]
    )
}
