import Foundation
import Logging
import Yams

/// Reads `file_sd_configs` files (JSON or YAML lists of `{targets, labels}`), caching each by
/// modification time. A file that fails to parse keeps its last good contents, as in Prometheus.
struct FileSDReader {
    private var cache: [String: (modified: Date, groups: [TargetGroup])] = [:]

    mutating func groups(pattern: String, logger: Logger) -> [TargetGroup] {
        Self.expand(pattern).flatMap { path in read(path, logger: logger) }
    }

    mutating func read(_ path: String, logger: Logger) -> [TargetGroup] {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date else {
            return cache[path]?.groups ?? []
        }
        if let cached = cache[path], cached.modified == modified { return cached.groups }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            // JSON is YAML, so one decoder reads both.
            let groups = try YAMLDecoder().decode([TargetGroupFile].self, from: text).map {
                TargetGroup(targets: $0.targets, labels: $0.labels ?? [:])
            }
            cache[path] = (modified, groups)
            logger.info("file_sd file loaded", metadata: ["file_sd.path": "\(path)", "file_sd.groups": "\(groups.count)"])
            return groups
        } catch {
            logger.error("file_sd file unreadable, keeping its last contents",
                         metadata: ["file_sd.path": "\(path)", "error": "\(error)"])
            return cache[path]?.groups ?? []
        }
    }

    /// Expands a `*` glob in the last path component.
    static func expand(_ pattern: String) -> [String] {
        guard pattern.contains("*") || pattern.contains("?") else { return [pattern] }
        let folder = (pattern as NSString).deletingLastPathComponent
        let namePattern = (pattern as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return names.filter { fnmatch(namePattern, $0, 0) == 0 }.sorted().map {
            folder.isEmpty ? $0 : (folder as NSString).appendingPathComponent($0)
        }
    }

    private struct TargetGroupFile: Decodable {
        var targets: [String]
        var labels: [String: String]?
    }
}
