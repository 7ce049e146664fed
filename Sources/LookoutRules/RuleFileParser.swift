import Foundation
import LookoutModel
import LookoutQuery
import LookoutYAML
import Yams

/// Reads Prometheus rule files (`groups[{name, interval, limit, query_offset, labels, rules}]`)
/// and refuses what `promtool check rules` refuses, each complaint as `file:line:col: message`.
public enum RuleFileParser {
    static let groupKeys: Set<String> = ["name", "interval", "limit", "query_offset", "labels", "rules"]
    static let ruleKeys: Set<String> = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"]

    /// The groups of one file; `defaultInterval` (ms) applies where a group gives no `interval`.
    public static func load(file: String, defaultInterval: Int64) throws(ConfigError) -> [RuleGroup] {
        let text = try YAMLReader.contents(of: file, what: "rule file")
        return try parse(text, file: file, defaultInterval: defaultInterval)
    }

    public static func parse(_ text: String, file: String, defaultInterval: Int64) throws(ConfigError) -> [RuleGroup] {
        let reader = YAMLReader(file: file)
        guard let root = try reader.compose(text) else { return [] }
        var groups: [RuleGroup] = []
        var names = Set<String>()
        for (_, _, value) in try reader.mapping(root, "the rule file", allowed: ["groups"]) {
            for node in try reader.sequence(value, "groups") {
                let group = try self.group(node, reader, defaultInterval: defaultInterval)
                guard names.insert(group.name).inserted else {
                    throw reader.error(node, "groupname: \"\(group.name)\" is repeated in the same file")
                }
                groups.append(group)
            }
        }
        return groups
    }

    static func group(_ node: Node, _ reader: YAMLReader, defaultInterval: Int64) throws(ConfigError) -> RuleGroup {
        var group = RuleGroup(name: "", file: reader.file, interval: defaultInterval, rules: [])
        var ruleNodes: [Node] = []
        for (key, _, value) in try reader.mapping(node, "a rule group", allowed: groupKeys) {
            switch key {
            case "name": group.name = try reader.string(value, key)
            case "interval": group.interval = try reader.duration(value, key)
            case "limit": group.limit = try reader.int(value, key)
            case "query_offset": group.queryOffset = try offset(value, reader)
            case "labels": group.labels = try labels(value, reader, "group label")
            default: ruleNodes = try reader.sequence(value, key)
            }
        }
        guard !group.name.isEmpty else { throw reader.error(node, "Groupname must not be empty") }
        for (index, ruleNode) in ruleNodes.enumerated() {
            group.rules.append(try rule(ruleNode, reader, group: group, index: index + 1))
        }
        return group
    }

    static func offset(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> Int64 {
        let text = try reader.string(node, "query_offset")
        guard let ms = PromDuration.parse(text) else {
            throw reader.error(node, "invalid duration \"\(text)\" for query_offset")
        }
        return ms
    }

    static func labels(_ node: Node, _ reader: YAMLReader, _ what: String) throws(ConfigError) -> [String: String] {
        let map = try reader.stringMap(node, what)
        for name in map.keys where !LabelName.isValid(name) || name == Labels.metricName {
            throw reader.error(node, "invalid \(what) name: \(name)")
        }
        return map
    }

    static func rule(_ node: Node, _ reader: YAMLReader, group: RuleGroup, index: Int) throws(ConfigError) -> RuleDefinition {
        var record: String?, alert: String?, exprText: String?
        var exprNode: Node?
        var holdDuration: Int64?, keepFiringFor: Int64?
        var labels: [String: String] = [:], annotations: [String: String]?
        var labelsNode: Node?, annotationsNode: Node?
        for (key, _, value) in try reader.mapping(node, "a rule", allowed: ruleKeys) {
            switch key {
            case "record": record = try reader.string(value, key)
            case "alert": alert = try reader.string(value, key)
            case "expr": exprText = try reader.string(value, key); exprNode = value
            case "for": holdDuration = try durationOrZero(value, reader, key)
            case "keep_firing_for": keepFiringFor = try durationOrZero(value, reader, key)
            case "labels": labels = try self.labels(value, reader, "label"); labelsNode = value
            default:
                annotations = try reader.stringMap(value, key)
                annotationsNode = value
            }
        }
        let ruleName = record ?? alert ?? ""
        let prefix = "group \"\(group.name)\", rule \(index), \"\(ruleName)\": "
        func fail(_ at: Node?, _ message: String) -> ConfigError { reader.error(at ?? node, prefix + message) }

        if record != nil && alert != nil { throw fail(node, "only one of 'record' and 'alert' must be set") }
        if record == nil && alert == nil { throw fail(node, "one of 'record' or 'alert' must be set") }
        guard let exprText, !exprText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw fail(exprNode, "field 'expr' must be set in rule")
        }
        let expr: Expr
        do {
            expr = try PromQLParser.parse(exprText)
        } catch {
            throw fail(exprNode, "could not parse expression: \(error)")
        }
        let merged = group.labels.merging(labels) { _, rule in rule }
        if let record {
            if annotations != nil { throw fail(annotationsNode, "invalid field 'annotations' in recording rule") }
            if holdDuration != nil { throw fail(node, "invalid field 'for' in recording rule") }
            if keepFiringFor != nil { throw fail(node, "invalid field 'keep_firing_for' in recording rule") }
            guard LabelName.isValidMetricName(record) else { throw fail(node, "invalid recording rule name: \(record)") }
            let plain = merged.keys.sorted().map { (name: $0, template: AlertTemplate(plain: merged[$0]!)) }
            return RuleDefinition(name: record, kind: .recording, expr: expr, exprText: exprText, labels: plain, line: node.mark?.line ?? 0)
        }
        let alertName = alert!
        guard !alertName.isEmpty else { throw fail(node, "invalid alert name: \(alertName)") }
        for name in (annotations ?? [:]).keys where !LabelName.isValid(name) {
            throw fail(annotationsNode, "invalid annotation name: \(name)")
        }
        func templates(_ map: [String: String], _ at: Node?) throws(ConfigError) -> [(name: String, template: AlertTemplate)] {
            var out: [(name: String, template: AlertTemplate)] = []
            for name in map.keys.sorted() {
                do {
                    out.append((name, try AlertTemplate(map[name]!, name: "__alert_" + alertName)))
                } catch {
                    throw fail(at, "msg=\"\(error)\"")
                }
            }
            return out
        }
        return RuleDefinition(name: alertName, kind: .alerting(holdDuration: holdDuration ?? 0, keepFiringFor: keepFiringFor ?? 0),
                              expr: expr, exprText: exprText, labels: try templates(merged, labelsNode),
                              annotations: try templates(annotations ?? [:], annotationsNode), line: node.mark?.line ?? 0)
    }

    static func durationOrZero(_ node: Node, _ reader: YAMLReader, _ key: String) throws(ConfigError) -> Int64 {
        let text = try reader.string(node, key)
        if text == "0" { return 0 }
        guard let ms = PromDuration.parse(text) else {
            throw reader.error(node, "invalid duration \"\(text)\" for \(key): use a number and unit, e.g. 30s, 5m, 1h")
        }
        return ms
    }

    /// The files `patterns` name: each a path or a glob, relative to `baseDirectory`. A pattern
    /// with no wildcard must name an existing file; a glob may match none.
    public static func expand(_ patterns: [String], baseDirectory: String) -> (files: [String], missing: [String]) {
        var files: [String] = []
        var missing: [String] = []
        for pattern in patterns {
            let path = pattern.hasPrefix("/") ? pattern : baseDirectory + "/" + pattern
            if !pattern.contains(where: { "*?[".contains($0) }) {
                if FileManager.default.fileExists(atPath: path) { files.append(path) } else { missing.append(path) }
                continue
            }
            var result = glob_t()
            defer { globfree(&result) }
            guard glob(path, 0, nil, &result) == 0 else { continue }
            for i in 0..<Int(result.gl_pathc) {
                if let cPath = result.gl_pathv[i] { files.append(String(cString: cPath)) }
            }
        }
        return (files, missing)
    }
}

extension AlertTemplate {
    /// A label value used as written (recording rules do not expand templates).
    init(plain text: String) {
        self.text = text
        nodes = [.text(text)]
    }
}
