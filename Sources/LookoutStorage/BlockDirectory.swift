import Foundation
import Logging

/// What the span and log stores share about their directories of sealed blocks (`traces/`,
/// `logs/`): block file names, the cleanup on open of files no index transaction took, and
/// opening a block that retention may have deleted since the index named it.
enum BlockDirectory {
    /// `<id>` zero-padded to 8 digits, then `.<ext>`.
    static func fileName(_ id: Int64, ext: String) -> String {
        "\(String(repeating: "0", count: max(0, 8 - String(id).count)))\(id).\(ext)"
    }

    /// Creates `path` if needed and deletes the block files (and `.tmp` leftovers) whose id is not
    /// in `indexed`: a crash between writing a block and indexing it, whose records the WAL still holds.
    static func prepare(_ path: String, indexed: Set<Int64>, what: String, logger: Logger) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StorageError(.io, "cannot create the \(what) directory: \(error)", file: path)
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            let id = Int64(name.split(separator: ".").first ?? "")
            if id.map({ !indexed.contains($0) }) ?? name.hasSuffix(".tmp") {
                logger.warning("deleting a \(what) block the index never took (its records are in the WAL)",
                               metadata: ["storage.file": "\(path)/\(name)"])
                try FileIO.remove(path + "/" + name)
            }
        }
    }

    /// The block file opened for reading, or nil when retention deleted it after the index was read
    /// (its records are gone, not unreadable). Other failures are recorded as read faults.
    static func openForReading(_ path: String, health: StorageHealth) throws -> Int32? {
        do { return try FileIO.open(path, flags: O_RDONLY) } catch {
            if !FileManager.default.fileExists(atPath: path) { return nil }
            health.record(.partitionRead)
            throw error
        }
    }
}
