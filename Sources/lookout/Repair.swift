import ArgumentParser
import Foundation
import LookoutStorage

/// `lookout repair --data DIR`: cuts the damaged records out of a WAL that `serve` refuses to
/// open, keeping a copy of every file it changes, and prints what was lost.
struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cut corrupt records out of a data directory's WAL so that it opens again.",
        discussion: "Stop the server first. Originals of changed files are kept under DIR/repair-<time>/.")

    @Option(help: "Data directory to repair.")
    var data: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: data + "/wal") else {
            throw ValidationError("\(data) is not a Lookout data directory (no wal/ in it)")
        }
        var bar: ProgressBar?
        let report: WALRepair.Report
        do {
            report = try WALRepair.repair(dataDirectory: data) { done, total in
                if bar == nil { bar = ProgressBar(label: "checking WAL", total: Int64(total)) }
                bar?.update(Int64(done))
            }
        } catch {
            bar?.finish()
            FileHandle.standardError.write(Data("repair failed: \(error)\n".utf8))
            throw ExitCode(1)
        }
        bar?.finish()
        print(Self.describe(report))
    }

    static func describe(_ report: WALRepair.Report) -> String {
        guard !report.isClean else { return "WAL is intact (\(report.filesChecked) files checked); nothing to repair." }
        var lines: [String] = []
        for d in report.damages {
            lines.append(d.truncated
                ? "\(d.file): bad record at offset \(d.offset); cut \(d.bytes) bytes from there to the end"
                : "\(d.file): bad record at offset \(d.offset); skipped it (\(d.bytes) bytes)")
        }
        lines.append("lost: \(report.lostRecords) records, \(report.lostSeries) series definitions, "
                     + "\(report.lostSamples) samples, \(report.lostChunks) head chunks")
        if report.orphanedSamples > 0 {
            lines.append("also lost: \(report.orphanedSamples) later samples of series defined only in the cut records")
        }
        if let lo = report.minTime, let hi = report.maxTime {
            lines.append("time range of lost samples: \(iso(lo)) to \(iso(hi))")
        }
        if let backup = report.backupDirectory { lines.append("originals kept in \(backup)") }
        return lines.joined(separator: "\n")
    }

    static func iso(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
