import Foundation
import LookoutModel

/// Go's `fmt` as alert templates use it: `%v` of a float, and `printf` with the verbs
/// `%s %v %d %f %e %g %q %x %%`, flags, width and precision.
enum GoFormat {
    /// `fmt.Sprint(float64)`: shortest digits, exponent form below 1e-4 and from 1e+06.
    static func float(_ v: Double) -> String { PromNumber.formatShortest(v) }

    static func printf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var chars = format[...]
        var next = 0
        while let c = chars.popFirst() {
            guard c == "%" else { out.append(c); continue }
            var spec = ""
            while let f = chars.first, "+-# 0".contains(f) { spec.append(f); chars.removeFirst() }
            while let d = chars.first, d.isNumber { spec.append(d); chars.removeFirst() }
            var precision: Int?
            if chars.first == "." {
                chars.removeFirst()
                var digits = ""
                while let d = chars.first, d.isNumber { digits.append(d); chars.removeFirst() }
                precision = Int(digits) ?? 0
            }
            guard let verb = chars.popFirst() else { out += "%!(NOVERB)"; break }
            if verb == "%" { out.append("%"); continue }
            guard next < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[next]
            next += 1
            out += render(verb, arg, flags: spec, precision: precision)
        }
        if next < args.count {
            out += "%!(EXTRA " + args[next...].map { TemplateEvaluator.format($0) }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func render(_ verb: Character, _ arg: TemplateValue, flags: String, precision: Int?) -> String {
        let cSpec = "%" + flags + (precision.map { ".\($0)" } ?? "")
        let number: Double? = switch arg {
        case .number(let n): n
        case .sample(let s): s.sample.value
        default: nil
        }
        switch verb {
        case "d":
            guard let number, number.isFinite else { return "%!d(\(TemplateEvaluator.format(arg)))" }
            return String(format: cSpec + "lld", Int64(number))
        case "f", "F", "e", "E", "g", "G":
            guard let number else { return "%!\(verb)(\(TemplateEvaluator.format(arg)))" }
            if !number.isFinite { return pad(float(number), flags) }
            if (verb == "g" || verb == "G") && precision == nil { return pad(float(number), flags) }
            return String(format: cSpec + String(verb), number)
        case "x", "X":
            if let number { return String(format: cSpec + "ll" + String(verb), Int64(number)) }
            return TemplateEvaluator.format(arg).utf8.map { String(format: verb == "x" ? "%02x" : "%02X", $0) }.joined()
        case "q":
            var quoted = "\""
            for ch in TemplateEvaluator.format(arg) {
                switch ch {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case "\n": quoted += "\\n"
                case "\t": quoted += "\\t"
                default: quoted.append(ch)
                }
            }
            return pad(quoted + "\"", flags)
        default:
            var text = TemplateEvaluator.format(arg)
            if let precision, case .string = arg { text = String(text.prefix(precision)) }
            return pad(text, flags)
        }
    }

    /// Width and `-` from the flags, for the verbs formatted here rather than by `String(format:)`.
    private static func pad(_ text: String, _ flags: String) -> String {
        let width = Int(flags.filter(\.isNumber)) ?? 0
        guard text.count < width else { return text }
        let padding = String(repeating: " ", count: width - text.count)
        return flags.contains("-") ? text + padding : padding + text
    }
}
