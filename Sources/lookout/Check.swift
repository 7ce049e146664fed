import ArgumentParser
import Foundation
import LookoutServer

/// `lookout check config FILE`: validate like `promtool check config`.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate files without running anything.",
                                                    subcommands: [CheckConfig.self])
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Validate a config file.")

    @Argument(help: "The config file to check.")
    var file: String

    func run() throws {
        do {
            let config = try ConfigLoader.load(file: file)
            print("Checking \(file)")
            print("  SUCCESS: \(config.scrapeConfigs.count) scrape configs found")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
