import LookoutModel

/// A value inside a running template.
enum TemplateValue {
    case string(String)
    case number(Double)
    case bool(Bool)
    case map([String: String])
    case samples([InstantSample])
    case sample(InstantSample)
    case root
    case null

    var isTrue: Bool {
        switch self {
        case .string(let s): !s.isEmpty
        case .number(let n): n != 0
        case .bool(let b): b
        case .map(let m): !m.isEmpty
        case .samples(let s): !s.isEmpty
        case .sample, .root: true
        case .null: false
        }
    }
}

/// Runs parsed template nodes over `TemplateData`, as Go's `text/template` does with
/// Prometheus's `missingkey=zero` option: a missing label renders as the empty string.
struct TemplateEvaluator {
    let data: TemplateData
    let query: TemplateQueryFunction?
    private var variables: [String: TemplateValue]
    private var output = ""
    /// Output is capped so a `range` over a large query cannot build an unbounded string.
    static let maxOutputBytes = 1 << 20

    init(data: TemplateData, query: TemplateQueryFunction?) {
        self.data = data
        self.query = query
        variables = ["": .root, "labels": .map(data.labels), "externalLabels": .map(data.externalLabels),
                     "externalURL": .string(data.externalURL), "value": .number(data.value)]
    }

    mutating func run(_ nodes: [TemplateNode]) throws(TemplateError) -> String {
        try execute(nodes, dot: .root)
        return output
    }

    private mutating func execute(_ nodes: [TemplateNode], dot: TemplateValue) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .text(let text): output += text
            case .action(let pipeline):
                let value = try evaluate(pipeline, dot: dot)
                if pipeline.declare == nil { output += Self.format(value) }
            case .conditional(let kind, let pipeline, let then, let otherwise):
                let value = try evaluate(pipeline, dot: dot)
                switch kind {
                case .if: try execute(value.isTrue ? then : otherwise, dot: dot)
                case .with: try execute(value.isTrue ? then : otherwise, dot: value.isTrue ? value : dot)
                case .range:
                    let items: [TemplateValue]
                    switch value {
                    case .samples(let samples): items = samples.map { .sample($0) }
                    case .map(let map): items = map.keys.sorted().map { .string(map[$0]!) }
                    case .null: items = []
                    default: throw TemplateError("range can't iterate over \(Self.format(value))")
                    }
                    if items.isEmpty { try execute(otherwise, dot: dot) }
                    for item in items { try execute(then, dot: item) }
                }
            }
            if output.utf8.count > Self.maxOutputBytes {
                throw TemplateError("template output exceeds \(Self.maxOutputBytes) bytes")
            }
        }
    }

    private mutating func evaluate(_ pipeline: TemplatePipeline, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        var piped: TemplateValue?
        for command in pipeline.commands {
            piped = try evaluate(command, piped: piped, dot: dot)
        }
        let value = piped ?? .null
        if let name = pipeline.declare { variables[name] = value }
        return value
    }

    private mutating func evaluate(_ command: [TemplateOperand], piped: TemplateValue?, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        if case .function(let name) = command[0] {
            var args: [TemplateValue] = []
            for operand in command.dropFirst() { args.append(try operandValue(operand, dot: dot)) }
            if let piped { args.append(piped) }
            return try TemplateFunctions.call(name, args, query: query)
        }
        guard command.count == 1, piped == nil else {
            throw TemplateError("can't give argument to non-function \(command.count > 1 ? "value" : "value with a pipe")")
        }
        return try operandValue(command[0], dot: dot)
    }

    private mutating func operandValue(_ operand: TemplateOperand, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        switch operand {
        case .string(let s): return .string(s)
        case .number(let n): return .number(n)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .function(let name): return try TemplateFunctions.call(name, [], query: query)
        case .group(let pipeline): return try evaluate(pipeline, dot: dot)
        case .dot(let fields): return try Self.fields(fields, of: dot, data: data)
        case .variable(let name, let fields):
            guard let value = variables[name] else { throw TemplateError("undefined variable \"$\(name)\"") }
            return try Self.fields(fields, of: value, data: data)
        }
    }

    static func fields(_ fields: [String], of value: TemplateValue, data: TemplateData) throws(TemplateError) -> TemplateValue {
        var current = value
        for field in fields {
            switch current {
            case .root:
                switch field {
                case "Labels": current = .map(data.labels)
                case "ExternalLabels": current = .map(data.externalLabels)
                case "ExternalURL": current = .string(data.externalURL)
                case "Value": current = .number(data.value)
                default: throw TemplateError("can't evaluate field \(field)")
                }
            case .map(let map): current = .string(map[field] ?? "")
            case .sample(let sample):
                switch field {
                case "Labels": current = .map(Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) }))
                case "Value": current = .number(sample.sample.value)
                default: throw TemplateError("can't evaluate field \(field) of a sample")
                }
            default: throw TemplateError("can't evaluate field \(field) of \(format(current))")
            }
        }
        return current
    }

    /// How Go prints a value with `{{ … }}`.
    static func format(_ value: TemplateValue) -> String {
        switch value {
        case .string(let s): s
        case .number(let n): GoFormat.float(n)
        case .bool(let b): b ? "true" : "false"
        case .map(let m): "map[" + m.keys.sorted().map { "\($0):\(m[$0]!)" }.joined(separator: " ") + "]"
        case .samples(let s): "[" + s.map { "\($0.labels) => \(GoFormat.float($0.sample.value))" }.joined(separator: " ") + "]"
        case .sample(let s): "\(s.labels) => \(GoFormat.float(s.sample.value))"
        case .root: "{}"
        case .null: "<no value>"
        }
    }
}
