import Foundation
import LookoutModel
import Yams

/// Reads a composed YAML tree with positions, so every complaint names the file, line and key:
/// the config loader, rule files and SLO specs all read their YAML through it.
public struct YAMLReader: Sendable {
    public let file: String

    public init(file: String) {
        self.file = file
    }

    /// The text of `file`, or a `ConfigError` naming it and what it is (`config`, `rule file`, …).
    public static func contents(of file: String, what: String) throws(ConfigError) -> String {
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigError(file: file, line: 0, column: 0, message: "cannot read \(what): \(error.localizedDescription)")
        }
    }

    /// The trimmed text of the secret file `node` names (relative paths against `baseDirectory`);
    /// a file that cannot be read or is empty is an error at `node`.
    public func secretFile(_ node: Node, _ key: String, baseDirectory: String) throws(ConfigError) -> String {
        let raw = try string(node, key)
        let path = raw.hasPrefix("/") ? raw : (baseDirectory as NSString).appendingPathComponent(raw)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw error(node, "cannot read \(key) \"\(path)\"")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw error(node, "\(key) \"\(path)\" is empty") }
        return secret
    }

    /// The document's root node (nil for an empty document), or the parser's complaint, located.
    public func compose(_ text: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw ConfigError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
            default:
                throw ConfigError(file: file, line: 1, column: 1, message: "invalid YAML: \(error)")
            }
        } catch {
            throw ConfigError(file: file, line: 1, column: 1, message: "\(error)")
        }
    }

    public func error(_ node: Node?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message)
    }

    /// The entries of a mapping, refusing keys outside `allowed` and repeated keys.
    public func mapping(_ node: Node, _ section: String, allowed: Set<String>) throws(ConfigError) -> [(key: String, keyNode: Node, value: Node)] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" {
            return []
        }
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(section) must be a mapping")
        }
        var seen = Set<String>()
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw error(keyNode, "\(section): keys must be strings") }
            guard allowed.contains(key) else {
                throw error(keyNode, "unknown key \"\(key)\" in \(section)")
            }
            guard seen.insert(key).inserted else { throw error(keyNode, "key \"\(key)\" repeated in \(section)") }
            entries.append((key, keyNode, value))
        }
        return entries
    }

    public func sequence(_ node: Node, _ key: String) throws(ConfigError) -> [Node] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" { return [] }
        guard case .sequence(let sequence) = node else { throw error(node, "\(key) must be a list") }
        return Array(sequence)
    }

    public func string(_ node: Node, _ key: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, "\(key) must be a string") }
        return scalar.string
    }

    public func strings(_ node: Node, _ key: String) throws(ConfigError) -> [String] {
        var out: [String] = []
        for item in try sequence(node, key) { out.append(try string(item, key)) }
        return out
    }

    public func bool(_ node: Node, _ key: String) throws(ConfigError) -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error(node, "\(key) must be true or false") }
        return value
    }

    public func int(_ node: Node, _ key: String) throws(ConfigError) -> Int {
        guard case .scalar = node, let value = node.int, value >= 0 else {
            throw error(node, "\(key) must be a non-negative integer")
        }
        return value
    }

    public func double(_ node: Node, _ key: String) throws(ConfigError) -> Double {
        guard case .scalar = node, let value = node.float, value.isFinite else { throw error(node, "\(key) must be a number") }
        return value
    }

    /// A Prometheus duration such as `15s` or `1h30m`, in milliseconds.
    public func duration(_ node: Node, _ key: String, allowZero: Bool = false) throws(ConfigError) -> Int64 {
        let text = try string(node, key)
        guard let ms = PromDuration.parse(text), ms > 0 || (allowZero && ms == 0) else {
            throw error(node, "invalid duration \"\(text)\" for \(key): use a number and unit, e.g. 15s, 1m, 1h30m")
        }
        return ms
    }

    /// A size such as `16MiB`, `256KiB`, `1GB` or plain bytes.
    public func byteSize(_ node: Node, _ key: String) throws(ConfigError) -> Int {
        let text = try string(node, key)
        guard let bytes = ByteSize.parse(text) else {
            throw error(node, "invalid size \"\(text)\" for \(key): use e.g. 16MiB, 256KiB or a byte count")
        }
        return bytes
    }

    public func stringMap(_ node: Node, _ key: String) throws(ConfigError) -> [String: String] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" { return [:] }
        guard case .mapping(let mapping) = node else { throw error(node, "\(key) must be a mapping") }
        var out: [String: String] = [:]
        for (k, v) in mapping {
            guard let name = k.string, let value = v.string else { throw error(k, "\(key) must map strings to strings") }
            out[name] = value
        }
        return out
    }
}

/// Byte sizes in config files (`16MiB`, `256KiB`, `1GB`, `4096`).
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000),
                                      ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1), ("", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            if let value = Int(number), value >= 0 {
                let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
                return overflow ? nil : bytes
            }
            if !suffix.isEmpty { continue }
        }
        return nil
    }
}
