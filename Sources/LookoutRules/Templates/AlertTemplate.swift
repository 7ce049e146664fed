import LookoutModel

/// A label or annotation template of an alerting rule, in the subset of Go's `text/template`
/// that Prometheus rule files use: `{{ $labels.x }}`, `{{ $value | humanize }}`,
/// `{{ $externalLabels.x }}`, pipelines, `printf`, `if`/`else`/`range`/`with`, variables, and
/// `query "…" | first | value`. Parsed once when a rule file is loaded, so a syntax error or an
/// unknown function is reported on the rule before anything runs.
public struct AlertTemplate: Sendable {
    let nodes: [TemplateNode]
    public let text: String

    public init(_ text: String, name: String = "template") throws(TemplateError) {
        self.text = text
        var parser = TemplateParser(text: text, name: name)
        nodes = try parser.parse()
    }

    /// Renders with `data`; `query` answers the `query` function (an instant query at the
    /// evaluation time), and errors when absent.
    public func render(_ data: TemplateData, query: TemplateQueryFunction? = nil) throws(TemplateError) -> String {
        if nodes.count == 1, case .text(let plain) = nodes[0] { return plain }
        var evaluator = TemplateEvaluator(data: data, query: query)
        return try evaluator.run(nodes)
    }
}

/// What a template sees: Prometheus's `.Labels`, `.ExternalLabels`, `.ExternalURL` and `.Value`,
/// also bound to `$labels`, `$externalLabels`, `$externalURL` and `$value`.
public struct TemplateData: Sendable {
    public var labels: [String: String]
    public var externalLabels: [String: String]
    public var externalURL: String
    public var value: Double

    public init(labels: [String: String], externalLabels: [String: String] = [:], externalURL: String = "", value: Double) {
        self.labels = labels
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.value = value
    }
}

/// Runs the template's `query` function: an instant PromQL query at the evaluation time.
public typealias TemplateQueryFunction = @Sendable (String) throws -> [InstantSample]

/// A template that cannot be parsed or run, in Go's words: `template: NAME:LINE: message`.
public struct TemplateError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipeline)
    case conditional(kind: BlockKind, TemplatePipeline, then: [TemplateNode], otherwise: [TemplateNode])

    enum BlockKind: Sendable { case `if`, range, with }
}

/// `cmd | cmd | …`, optionally declaring or assigning a variable (`$x := …`).
struct TemplatePipeline: Sendable {
    var declare: String?
    var commands: [[TemplateOperand]]
}

indirect enum TemplateOperand: Sendable {
    /// `$name.field.field` (`$` alone is the root data).
    case variable(String, fields: [String])
    /// `.field.field`, or `.` itself with no fields.
    case dot(fields: [String])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case function(String)
    case group(TemplatePipeline)
}
