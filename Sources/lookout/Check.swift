import ArgumentParser
import Foundation
import LookoutRules
import LookoutServer

/// `lookout check config FILE` and `lookout check rules FILE…`: validate like `promtool check`.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate files without running anything.",
                                                    subcommands: [CheckConfig.self, CheckRules.self])
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Validate a config file.")

    @Argument(help: "The config file to check.")
    var file: String

    func run() throws {
        do {
            let config = try ConfigLoader.load(file: file)
            print("Checking \(file)")
            print("  SUCCESS: \(config.scrapeConfigs.count) scrape configs, \(config.ruleGroups.reduce(0) { $0 + $1.rules.count }) rules found")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct CheckRules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Validate Prometheus rule files, as `promtool check rules` does.")

    @Argument(help: "Rule files to check.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            print("Checking \(file)")
            do {
                let groups = try RuleFileParser.load(file: file, defaultInterval: 60_000)
                print("  SUCCESS: \(groups.reduce(0) { $0 + $1.rules.count }) rules found")
            } catch {
                print("  FAILED:")
                fflush(nil)
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                failed = true
            }
            print("")
        }
        if failed { throw ExitCode(1) }
    }
}

/// `lookout test rules FILE…`: runs `promtool test rules` unit-test files.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Run unit tests.",
                                                    subcommands: [TestRules.self])
}

struct TestRules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "Run rule unit tests, as `promtool test rules` does.")

    @Argument(help: "Unit-test files.")
    var files: [String]

    func run() async throws {
        var failed = false
        for file in files {
            print("Unit Testing:  \(file)")
            do {
                let outcome = try await RuleUnitTests.run(file: file)
                if outcome.passed {
                    print("  SUCCESS\n")
                } else {
                    failed = true
                    print("  FAILED:")
                    for failure in outcome.failures { print("    " + failure) }
                    print("")
                }
            } catch {
                failed = true
                print("  FAILED:\n    \(error)\n")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
