import LookoutModel

/// Renders metric families as Prometheus text 0.0.4 (Lookout's own `/metrics`, test fixtures) or
/// as OpenMetrics 1.0 with timestamps and exemplars (fixtures for `lookout import`).
///
/// The writer trusts its input: sample names should belong to their family, as the parser
/// expects (`_bucket`/`_sum`/`_count` for histograms, `_total`/`_created` for OpenMetrics counters).
/// Values are written so they parse back to the same bits, except that every NaN becomes `NaN`.
public struct ExpositionWriter {
    /// Prometheus text 0.0.4: HELP (when non-empty) and TYPE per family, then its samples with
    /// integer millisecond timestamps. Types the text format lacks are written as `untyped`.
    public static func render(families: [(MetricMetadata, [ScrapedSample])]) -> String {
        var out = ""
        for (metadata, samples) in families {
            if !metadata.help.isEmpty {
                out += "# HELP \(metadata.family) \(escapeHelp(metadata.help, openMetrics: false))\n"
            }
            out += "# TYPE \(metadata.family) \(textType(metadata.type))\n"
            for sample in samples {
                writeSeries(sample.labels, into: &out)
                out += " "
                out += PromNumber.format(sample.value)
                if let timestamp = sample.timestamp {
                    out += " \(timestamp)"
                }
                out += "\n"
            }
        }
        return out
    }

    /// OpenMetrics 1.0: TYPE, UNIT and HELP per family, samples with float-second timestamps and
    /// exemplars, ending in `# EOF`.
    public static func renderOpenMetrics(families: [(MetricMetadata, [ScrapedSample])]) -> String {
        var out = ""
        for (metadata, samples) in families {
            out += "# TYPE \(metadata.family) \(metadata.type.rawValue)\n"
            if !metadata.unit.isEmpty {
                out += "# UNIT \(metadata.family) \(metadata.unit)\n"
            }
            if !metadata.help.isEmpty {
                out += "# HELP \(metadata.family) \(escapeHelp(metadata.help, openMetrics: true))\n"
            }
            for sample in samples {
                writeSeries(sample.labels, into: &out)
                out += " "
                out += PromNumber.format(sample.value)
                if let timestamp = sample.timestamp {
                    out += " " + PromNumber.seconds(timestamp)
                }
                if let exemplar = sample.exemplar {
                    out += " # "
                    writeLabelSet(exemplar.labels, into: &out)
                    out += " " + PromNumber.format(exemplar.value)
                    if let timestamp = exemplar.timestamp {
                        out += " " + PromNumber.seconds(timestamp)
                    }
                }
                out += "\n"
            }
        }
        out += "# EOF\n"
        return out
    }


    private static func textType(_ type: MetricType) -> String {
        switch type {
        case .counter, .gauge, .histogram, .summary: type.rawValue
        case .gaugehistogram, .info, .stateset, .unknown: "untyped"
        }
    }

    private static func escapeHelp(_ help: String, openMetrics: Bool) -> String {
        // By scalar, not Character: "\r\n" is one Character, which equals neither "\r" nor "\n".
        guard help.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\n" || (openMetrics && $0 == "\"") }) else { return help }
        var out = String.UnicodeScalarView()
        for scalar in help.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\"" where openMetrics: out.append(contentsOf: "\\\"".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// A series as both formats write it: `name{a="1",b="2"}`, or just `name` without other labels.
    public static func seriesText(_ labels: Labels) -> String {
        var out = ""
        writeSeries(labels, into: &out)
        return out
    }

    private static func writeSeries(_ labels: Labels, into out: inout String) {
        out += labels.name ?? ""
        let rest = labels.droppingMetricName
        if !rest.isEmpty { writeLabelSet(rest, into: &out) }
    }

    private static func writeLabelSet(_ labels: Labels, into out: inout String) {
        out += "{"
        var first = true
        for label in labels {
            if !first { out += "," }
            first = false
            out += label.name
            out += "=\""
            out += Labels.escape(label.value)
            out += "\""
        }
        out += "}"
    }
}
