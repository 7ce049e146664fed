import LookoutModel
import Testing
@testable import LookoutRules

@Suite struct AlertTemplateTests {
    let data = TemplateData(labels: ["instance": "web-1:9100", "job": "node"], externalLabels: ["cluster": "eu1"],
                            externalURL: "http://lookout:4318", value: 0.0423)

    func render(_ text: String, value: Double? = nil, query: TemplateQueryFunction? = nil) throws -> String {
        var data = data
        if let value { data.value = value }
        return try AlertTemplate(text, name: "__alert_Test").render(data, query: query)
    }

    @Test func labelsValueAndExternalLabels() throws {
        #expect(try render("{{ $labels.instance }} of {{ $labels.job }} in {{ $externalLabels.cluster }}: {{ $value }}")
            == "web-1:9100 of node in eu1: 0.0423")
        #expect(try render("{{ .Labels.job }} {{ .Value }}") == "node 0.0423")
        #expect(try render("missing: [{{ $labels.nope }}]") == "missing: []")
        #expect(try render("{{ $value }}", value: 1_000_000) == "1e+06")
        #expect(try render("{{ $value }}", value: 123456) == "123456")
    }

    @Test func humanizeFamilyMatchesPrometheus() throws {
        #expect(try render("{{ $value | humanize }}", value: 1_234_567) == "1.235M")
        #expect(try render("{{ humanize 0.00123 }}") == "1.23m")
        #expect(try render("{{ humanize 0 }}") == "0")
        #expect(try render("{{ $value | humanize1024 }}", value: 1_048_576) == "1Mi")
        #expect(try render("{{ $value | humanizePercentage }}", value: 0.1234) == "12.34%")
        #expect(try render("{{ $value | humanizeDuration }}", value: 3725) == "1h 2m 5s")
        #expect(try render("{{ $value | humanizeDuration }}", value: 90061) == "1d 1h 1m 1s")
        #expect(try render("{{ $value | humanizeDuration }}", value: 0.25) == "250ms")
        #expect(try render("{{ $value | humanizeDuration }}", value: 5.5) == "5.5s")
    }

    @Test func printfAndStringFunctions() throws {
        #expect(try render("{{ printf \"%.2f%%\" $value }}", value: 12.3456) == "12.35%")
        #expect(try render("{{ printf \"%s is %d\" $labels.job 3 }}") == "node is 3")
        #expect(try render("{{ $labels.job | toUpper }}") == "NODE")
        #expect(try render("{{ reReplaceAll \":[0-9]+\" \"\" $labels.instance }}") == "web-1")
        #expect(try render("{{ reReplaceAll \"(.*)-(.*)\" \"$2/$1\" \"a-b\" }}") == "b/a")
        #expect(try render("{{ $labels.instance | stripPort }}") == "web-1")
    }

    @Test func controlFlowAndVariables() throws {
        #expect(try render("{{ if gt $value 0.04 }}high{{ else }}low{{ end }}") == "high")
        #expect(try render("{{ if eq $labels.job \"x\" }}x{{ else if eq $labels.job \"node\" }}node{{ end }}") == "node")
        #expect(try render("{{ $x := $labels.job }}[{{ $x }}]") == "[node]")
        #expect(try render("a  {{- \" b \" -}}  c") == "a b c")
        #expect(try render("{{/* a comment */}}ok") == "ok")
        #expect(try render("{{ with $labels.job }}job={{ . }}{{ end }}") == "job=node")
    }

    @Test func queryFirstValue() throws {
        let query: TemplateQueryFunction = { text in
            #expect(text == "up{job=\"node\"}")
            return [InstantSample(labels: ["instance": "a"], sample: Sample(0, 1)),
                    InstantSample(labels: ["instance": "b"], sample: Sample(0, 0))]
        }
        #expect(try render("{{ query \"up{job=\\\"node\\\"}\" | first | value }}", query: query) == "1")
        #expect(try render("{{ range query \"up{job=\\\"node\\\"}\" }}{{ .Labels.instance }}={{ .Value }} {{ end }}", query: query)
            == "a=1 b=0 ")
        #expect(throws: TemplateError.self) { try render("{{ query \"x\" | first }}", query: { _ in [] }) }
    }

    @Test func parseErrorsNameTheTemplateAndLine() {
        #expect(throws: TemplateError("template: __alert_Test:1: function \"humanise\" not defined")) {
            try AlertTemplate("{{ $value | humanise }}", name: "__alert_Test")
        }
        #expect(throws: TemplateError("template: __alert_Test:2: unclosed action")) {
            try AlertTemplate("ok\n{{ $value ", name: "__alert_Test")
        }
        #expect(throws: TemplateError("template: __alert_Test:1: unexpected EOF: missing {{end}}")) {
            try AlertTemplate("{{ if true }}x", name: "__alert_Test")
        }
        #expect(throws: TemplateError("template: __alert_Test:1: unexpected {{end}}")) {
            try AlertTemplate("x{{ end }}", name: "__alert_Test")
        }
    }
}
