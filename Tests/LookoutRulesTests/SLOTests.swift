import LookoutYAML
import Testing
@testable import LookoutRules

@Suite struct SLOTests {
    static let spec = """
    version: prometheus/v1
    service: checkout
    slos:
      - name: availability
        objective: 99.9
        sli:
          red: {service: checkout, kind: availability}
        alerting: {name: CheckoutErrors}
    """

    @Test func windowsFollowTheSREWorkbookAndScaleWithThePeriod() {
        let month = BurnRateWindows(periodDays: 30)
        #expect(month.all.map(windowText) == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"])
        #expect(month.page.map(\.factor) == [14.4, 6] && month.ticket.map(\.factor) == [3, 1])
        let week = BurnRateWindows(periodDays: 7)
        #expect(week.page[0].long == 14 * 60_000 && week.page[0].short == 70_000)
        #expect(windowText(week.period) == "7d")
    }

    @Test func expandsToSlothsRulesAndAlerts() throws {
        let spec = try SLOSpecParser.parse(Self.spec, file: "slo.yaml", spanMetricsBuckets: [0.1, 0.5])
        let groups = try SLORuleGenerator.ruleGroups(spec, defaultInterval: 60_000)
        #expect(groups.map(\.name) == ["sloth-slo-sli-recordings-checkout-availability", "sloth-slo-meta-recordings-checkout-availability",
                                       "sloth-slo-alerts-checkout-availability"])
        let records = groups[0].rules.map(\.name)
        #expect(records.contains("slo:sli_error:ratio_rate30d") && records.contains("slo:sli_error:ratio_rate3d"))
        let thirtyDays = groups[0].rules.first { $0.name == "slo:sli_error:ratio_rate30d" }!
        #expect(thirtyDays.exprText.hasPrefix("sum_over_time(slo:sli_errors:rate5m{"))
        #expect(groups[0].rules[0].exprText.contains("status_code=\"STATUS_CODE_ERROR\"") && groups[0].rules[0].exprText.contains("SPAN_KIND_SERVER"))
        let alerts = groups[2].rules
        #expect(alerts.count == 2 && alerts.allSatisfy { $0.name == "CheckoutErrors" })
        #expect(alerts[0].exprText.contains("slo:sli_error:ratio_rate5m") && alerts[0].exprText.contains("(14.4 * 0.001)"))
        #expect(alerts[0].exprText.contains("slo:sli_error:ratio_rate6h") && alerts[0].exprText.contains("(6 * 0.001)"))
        #expect(alerts[1].exprText.contains("slo:sli_error:ratio_rate3d") && alerts[1].exprText.contains("(1 * 0.001)"))
        #expect(alerts.map { $0.labels.first { $0.name == "sloth_severity" }!.template.text } == ["page", "ticket"])
    }

    @Test func refusals() {
        func error(_ text: String) -> String {
            do { _ = try SLOSpecParser.parse(text, file: "slo.yaml", spanMetricsBuckets: [0.1, 0.5]); return "no error" } catch { return "\(error)" }
        }
        #expect(error(Self.spec.replacingOccurrences(of: "prometheus/v1", with: "sloth/v1")).contains("version must be \"prometheus/v1\""))
        #expect(error(Self.spec.replacingOccurrences(of: "99.9", with: "120")).contains("objective must be a percentage"))
        #expect(error(Self.spec.replacingOccurrences(of: "kind: availability}", with: "kind: latency, threshold: 300ms}"))
            .contains("nearest are 100ms and 500ms"))
        #expect(error(Self.spec.replacingOccurrences(of: "red: {service: checkout, kind: availability}",
                                                     with: "events: {error_query: 'sum(x)', total_query: 'sum(y[{{.window}}])'}"))
            .contains("error_query must use {{.window}}"))
        #expect(error(Self.spec.replacingOccurrences(of: "\n    alerting: {name: CheckoutErrors}", with: "")).contains("needs alerting.name"))
    }
}
