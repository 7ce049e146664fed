/// Parses Go `text/template` source into `TemplateNode`s: text, `{{ pipeline }}` actions with
/// `{{-`/`-}}` trimming and `{{/* comments */}}`, and `if`/`else if`/`else`/`range`/`with`/`end`.
struct TemplateParser {
    private let chars: [Character]
    private let name: String
    private var position = 0
    /// The line of the action being parsed, for messages.
    private var line = 1

    init(text: String, name: String) {
        chars = Array(text)
        self.name = name
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        let (nodes, terminator) = try parseList()
        if let terminator { throw fail("unexpected {{\(terminator)}}") }
        return nodes
    }

    private func fail(_ message: String) -> TemplateError {
        TemplateError("template: \(name):\(line): \(message)")
    }

    /// Nodes up to the end of input or an `end`/`else…` action, which is returned unparsed.
    private mutating func parseList() throws(TemplateError) -> ([TemplateNode], String?) {
        var nodes: [TemplateNode] = []
        var text = ""
        while position < chars.count {
            guard chars[position] == "{", position + 1 < chars.count, chars[position + 1] == "{" else {
                text.append(chars[position])
                position += 1
                continue
            }
            line = 1 + chars[..<position].lazy.filter { $0 == "\n" }.count
            position += 2
            if position < chars.count, chars[position] == "-", position + 1 < chars.count, chars[position + 1] == " " {
                while let last = text.last, last.isWhitespace { text.removeLast() }
                position += 1
            }
            if !text.isEmpty { nodes.append(.text(text)); text = "" }
            let body = try actionBody()
            let trimmed = body.trimmingSpaces()
            if trimmed.hasPrefix("/*") {
                guard trimmed.hasSuffix("*/") else { throw fail("unclosed comment") }
                continue
            }
            var lexer = TemplateLexer(source: trimmed)
            let tokens = try lexed(&lexer)
            guard let first = tokens.first else { throw fail("missing value for command") }
            switch first {
            case .word("end"):
                guard tokens.count == 1 else { throw fail("unexpected tokens after end") }
                return (nodes, "end")
            case .word("else"):
                return (nodes, trimmed)
            case .word("if"), .word("range"), .word("with"):
                let kind: TemplateNode.BlockKind = first == .word("if") ? .if : first == .word("range") ? .range : .with
                nodes.append(try block(kind, Array(tokens.dropFirst())))
            default:
                nodes.append(.action(try pipeline(tokens)))
            }
        }
        if !text.isEmpty { nodes.append(.text(text)) }
        return (nodes, nil)
    }

    /// A block after its keyword: the body, an optional `else` (or `else if …`), and `end`.
    private mutating func block(_ kind: TemplateNode.BlockKind, _ tokens: [TemplateToken]) throws(TemplateError) -> TemplateNode {
        let condition = try pipeline(tokens)
        let (body, terminator) = try parseList()
        guard let terminator else { throw fail("unexpected EOF: missing {{end}}") }
        if terminator == "end" { return .conditional(kind: kind, condition, then: body, otherwise: []) }
        let rest = terminator.dropFirst(4).trimmingSpaces()
        if rest.isEmpty {
            let (otherwise, end) = try parseList()
            guard end == "end" else { throw fail("expected {{end}} after {{else}}") }
            return .conditional(kind: kind, condition, then: body, otherwise: otherwise)
        }
        var lexer = TemplateLexer(source: rest)
        let tokens = try lexed(&lexer)
        let isIf = tokens.first == TemplateToken.word("if")
        guard isIf || tokens.first == TemplateToken.word("with") else { throw fail("unexpected {{\(terminator)}}") }
        let nestedKind: TemplateNode.BlockKind = isIf ? .if : .with
        let nested = try block(nestedKind, Array(tokens.dropFirst()))
        return .conditional(kind: kind, condition, then: body, otherwise: [nested])
    }

    /// The characters up to the closing `}}` (or ` -}}`, which also trims following space).
    private mutating func actionBody() throws(TemplateError) -> String {
        var body = ""
        var quote: Character?
        while position < chars.count {
            let c = chars[position]
            if let q = quote {
                body.append(c)
                if c == "\\", q == "\"", position + 1 < chars.count {
                    body.append(chars[position + 1])
                    position += 2
                    continue
                }
                if c == q { quote = nil }
                position += 1
                continue
            }
            if c == "\"" || c == "`" || c == "'" { quote = c }
            if c == "}", position + 1 < chars.count, chars[position + 1] == "}" {
                position += 2
                if body.hasSuffix(" -") {
                    body.removeLast(2)
                    while position < chars.count, chars[position].isWhitespace { position += 1 }
                }
                return body
            }
            body.append(c)
            position += 1
        }
        throw fail("unclosed action")
    }

    private func lexed(_ lexer: inout TemplateLexer) throws(TemplateError) -> [TemplateToken] {
        do {
            return try lexer.tokens()
        } catch {
            throw fail(error.message)
        }
    }

    private func pipeline(_ tokens: [TemplateToken]) throws(TemplateError) -> TemplatePipeline {
        var tokens = tokens[...]
        var declare: String?
        if tokens.count >= 2, case .variable(let variable, let fields) = tokens[tokens.startIndex], fields.isEmpty,
           tokens[tokens.startIndex + 1] == .declare || tokens[tokens.startIndex + 1] == .assign {
            declare = variable
            tokens = tokens.dropFirst(2)
        }
        var index = 0
        let result = try pipelineTokens(Array(tokens), &index, closing: false)
        return TemplatePipeline(declare: declare, commands: result)
    }

    private func pipelineTokens(_ tokens: [TemplateToken], _ index: inout Int, closing: Bool) throws(TemplateError) -> [[TemplateOperand]] {
        var commands: [[TemplateOperand]] = []
        var current: [TemplateOperand] = []
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case .pipe:
                guard !current.isEmpty else { throw fail("missing command before |") }
                commands.append(current)
                current = []
            case .close:
                guard closing else { throw fail("unexpected right paren") }
                guard !current.isEmpty else { throw fail("missing value for command") }
                commands.append(current)
                return commands
            case .open:
                let inner = try pipelineTokens(tokens, &index, closing: true)
                current.append(.group(TemplatePipeline(declare: nil, commands: inner)))
            case .word(let word):
                switch word {
                case "true": current.append(.bool(true))
                case "false": current.append(.bool(false))
                case "nil": current.append(.null)
                default:
                    guard TemplateFunctions.names.contains(word) else { throw fail("function \"\(word)\" not defined") }
                    current.append(.function(word))
                }
            case .variable(let variable, let fields): current.append(.variable(variable, fields: fields))
            case .dot(let fields): current.append(.dot(fields: fields))
            case .string(let text): current.append(.string(text))
            case .number(let number): current.append(.number(number))
            case .declare, .assign: throw fail("unexpected := in command")
            }
        }
        if closing { throw fail("unclosed left paren") }
        guard !current.isEmpty else { throw fail("missing value for command") }
        commands.append(current)
        return commands
    }
}

enum TemplateToken: Equatable {
    case word(String)
    case variable(String, [String])
    case dot([String])
    case string(String)
    case number(Double)
    case pipe, open, close, declare, assign
}

/// Splits an action's body into tokens.
struct TemplateLexer {
    let chars: [Character]
    var i = 0

    init(source: String) { chars = Array(source) }

    mutating func tokens() throws(TemplateError) -> [TemplateToken] {
        var out: [TemplateToken] = []
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            switch c {
            case "|": out.append(.pipe); i += 1
            case "(": out.append(.open); i += 1
            case ")": out.append(.close); i += 1
            case ":":
                guard i + 1 < chars.count, chars[i + 1] == "=" else { throw TemplateError("unexpected \":\" in command") }
                out.append(.declare); i += 2
            case "=": out.append(.assign); i += 1
            case "\"":
                i += 1
                var text = ""
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    i += 1
                    if d == "\"" { closed = true; break }
                    if d == "\\", i < chars.count {
                        let e = chars[i]
                        i += 1
                        switch e {
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        case "\\": text.append("\\")
                        case "\"": text.append("\"")
                        default: text.append("\\"); text.append(e)
                        }
                        continue
                    }
                    text.append(d)
                }
                guard closed else { throw TemplateError("unterminated quoted string") }
                out.append(.string(text))
            case "`":
                i += 1
                var text = ""
                while i < chars.count, chars[i] != "`" { text.append(chars[i]); i += 1 }
                guard i < chars.count else { throw TemplateError("unterminated raw quoted string") }
                i += 1
                out.append(.string(text))
            case "$":
                i += 1
                let name = identifier()
                out.append(.variable(name, fields()))
            case ".":
                let fields = fields()
                out.append(.dot(fields))
            default:
                if c.isNumber || c == "-" || c == "+" {
                    var text = ""
                    while i < chars.count, chars[i].isLetter || chars[i].isNumber || "+-.".contains(chars[i]) {
                        text.append(chars[i]); i += 1
                    }
                    guard let number = Double(text) else { throw TemplateError("bad number syntax: \"\(text)\"") }
                    out.append(.number(number))
                } else if c.isLetter || c == "_" {
                    out.append(.word(identifier()))
                } else {
                    throw TemplateError("unexpected \"\(c)\" in command")
                }
            }
        }
        return out
    }

    private mutating func identifier() -> String {
        var name = ""
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { name.append(chars[i]); i += 1 }
        return name
    }

    /// `.a.b` after a variable or at a dot; a lone `.` has no fields.
    private mutating func fields() -> [String] {
        var fields: [String] = []
        while i < chars.count, chars[i] == "." {
            i += 1
            let name = identifier()
            if name.isEmpty { break }
            fields.append(name)
        }
        return fields
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
