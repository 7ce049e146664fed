import Foundation
import LookoutModel
import LookoutYAML
import Yams

/// Reads `alerting:` (Alertmanager's `route`, `inhibit_rules`, `receivers`, `time_intervals`),
/// resolving secret files against the config's folder; every complaint names its line.
public enum AlertingConfigParser {
    public static func parse(_ node: Node, _ reader: YAMLReader, baseDirectory: String) throws(ConfigError) -> AlertingConfig {
        var config = AlertingConfig()
        var routeNode: Node?
        let keys: Set<String> = ["route", "inhibit_rules", "receivers", "time_intervals", "mute_time_intervals", "templates"]
        for (key, _, value) in try reader.mapping(node, "alerting", allowed: keys) {
            switch key {
            case "route": routeNode = value; config.route = try route(value, reader, isRoot: true)
            case "inhibit_rules":
                for item in try reader.sequence(value, key) { config.inhibitRules.append(try inhibitRule(item, reader)) }
            case "receivers":
                for item in try reader.sequence(value, key) {
                    let receiver = try self.receiver(item, reader, baseDirectory: baseDirectory)
                    guard config.receiver(named: receiver.name) == nil else {
                        throw reader.error(item, "notification config name \"\(receiver.name)\" is not unique")
                    }
                    config.receivers.append(receiver)
                }
            case "time_intervals", "mute_time_intervals":
                for item in try reader.sequence(value, key) {
                    let (name, intervals) = try timeInterval(item, reader)
                    config.timeIntervals[name] = intervals
                }
            default: _ = try reader.strings(value, key)
            }
        }
        if !config.receivers.isEmpty {
            guard let routeNode else { throw reader.error(node, "alerting: no route provided") }
            guard config.route.receiver != nil else { throw reader.error(routeNode, "root route must specify a default receiver") }
            try check(config.route, config, reader, routeNode)
        }
        return config
    }

    static func check(_ route: Route, _ config: AlertingConfig, _ reader: YAMLReader, _ node: Node) throws(ConfigError) {
        if let name = route.receiver, config.receiver(named: name) == nil {
            throw reader.error(node, "undefined receiver \"\(name)\" used in route")
        }
        for name in route.muteTimeIntervals + route.activeTimeIntervals where config.timeIntervals[name] == nil {
            throw reader.error(node, "undefined time interval \"\(name)\" used in route")
        }
        for child in route.routes { try check(child, config, reader, node) }
    }

    static func route(_ node: Node, _ reader: YAMLReader, isRoot: Bool) throws(ConfigError) -> Route {
        var route = Route()
        let keys: Set<String> = ["receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "matchers",
                                 "match", "match_re", "continue", "routes", "mute_time_intervals", "active_time_intervals"]
        for (key, _, value) in try reader.mapping(node, "route", allowed: keys) {
            switch key {
            case "receiver": route.receiver = try reader.string(value, key)
            case "group_by":
                let labels = try reader.strings(value, key)
                for label in labels where label != "..." && !LabelName.isValid(label) {
                    throw reader.error(value, "invalid label name \"\(label)\" in group_by list")
                }
                if labels.contains("...") && labels.count > 1 {
                    throw reader.error(value, "cannot have wildcard group_by (`...`) and other labels at the same time")
                }
                route.groupBy = labels
            case "group_wait": route.groupWait = try reader.duration(value, key, allowZero: true)
            case "group_interval": route.groupInterval = try reader.duration(value, key)
            case "repeat_interval": route.repeatInterval = try reader.duration(value, key)
            case "matchers":
                for item in try reader.strings(value, key) {
                    do {
                        route.matchers += try MatcherParser.parseList(item)
                    } catch {
                        throw reader.error(value, "\(error)")
                    }
                }
            case "match":
                for (name, text) in try reader.stringMap(value, key).sorted(by: { $0.key < $1.key }) {
                    route.matchers.append(.equal(name, text))
                }
            case "match_re":
                for (name, text) in try reader.stringMap(value, key).sorted(by: { $0.key < $1.key }) {
                    guard let matcher = try? LabelMatcher(name, .regexMatch, text) else {
                        throw reader.error(value, "invalid regular expression \"\(text)\" in match_re")
                    }
                    route.matchers.append(matcher)
                }
            case "continue": route.continue = try reader.bool(value, key)
            case "routes":
                for item in try reader.sequence(value, key) { route.routes.append(try self.route(item, reader, isRoot: false)) }
            case "mute_time_intervals": route.muteTimeIntervals = try reader.strings(value, key)
            default: route.activeTimeIntervals = try reader.strings(value, key)
            }
        }
        if isRoot {
            if !route.matchers.isEmpty { throw reader.error(node, "root route must not have any matchers") }
            if !route.muteTimeIntervals.isEmpty || !route.activeTimeIntervals.isEmpty {
                throw reader.error(node, "root route must not have any mute or active time intervals")
            }
            if route.continue { throw reader.error(node, "cannot have continue in root route") }
        }
        return route
    }

    static func inhibitRule(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> InhibitRule {
        var rule = InhibitRule()
        for (key, _, value) in try reader.mapping(node, "inhibit_rules", allowed: ["source_matchers", "target_matchers", "equal"]) {
            switch key {
            case "equal": rule.equal = try reader.strings(value, key)
            default:
                var matchers: [LabelMatcher] = []
                for item in try reader.strings(value, key) {
                    do { matchers += try MatcherParser.parseList(item) } catch { throw reader.error(value, "\(error)") }
                }
                if key == "source_matchers" { rule.sourceMatchers = matchers } else { rule.targetMatchers = matchers }
            }
        }
        return rule
    }

    static func receiver(_ node: Node, _ reader: YAMLReader, baseDirectory: String) throws(ConfigError) -> Receiver {
        var name: String?
        var receiver = Receiver(name: "")
        for (key, _, value) in try reader.mapping(node, "a receiver", allowed: ["name", "webhook_configs", "pagerduty_configs", "alertmanager_configs"]) {
            switch key {
            case "name": name = try reader.string(value, key)
            case "webhook_configs":
                for item in try reader.sequence(value, key) { receiver.webhooks.append(try webhook(item, reader, baseDirectory: baseDirectory)) }
            case "pagerduty_configs":
                for item in try reader.sequence(value, key) { receiver.pagerDuty.append(try pagerDuty(item, reader, baseDirectory: baseDirectory)) }
            default:
                for item in try reader.sequence(value, key) { receiver.alertmanagers.append(try alertmanager(item, reader)) }
            }
        }
        guard let name, !name.isEmpty else { throw reader.error(node, "missing name in receiver") }
        receiver.name = name
        return receiver
    }

    static func url(_ node: Node, _ reader: YAMLReader, _ key: String) throws(ConfigError) -> String {
        let text = try reader.string(node, key)
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw reader.error(node, "\(key) must be an http or https URL, got \"\(text)\"")
        }
        return text
    }

    static func httpConfig(_ node: Node, _ reader: YAMLReader, baseDirectory: String) throws(ConfigError) -> String? {
        var token: String?
        for (key, _, value) in try reader.mapping(node, "http_config", allowed: ["authorization", "bearer_token_file", "bearer_token"]) {
            switch key {
            case "bearer_token_file": token = try reader.secretFile(value, key, baseDirectory: baseDirectory)
            case "bearer_token": token = try reader.string(value, key)
            default:
                for (authKey, _, authValue) in try reader.mapping(value, "http_config.authorization", allowed: ["type", "credentials", "credentials_file"]) {
                    switch authKey {
                    case "type":
                        guard try reader.string(authValue, authKey).lowercased() == "bearer" else {
                            throw reader.error(authValue, "only the Bearer authorization type is supported")
                        }
                    case "credentials": token = try reader.string(authValue, authKey)
                    default: token = try reader.secretFile(authValue, authKey, baseDirectory: baseDirectory)
                    }
                }
            }
        }
        return token
    }

    static func webhook(_ node: Node, _ reader: YAMLReader, baseDirectory: String) throws(ConfigError) -> WebhookConfig {
        var url: String?
        var config = WebhookConfig(url: "")
        let keys: Set<String> = ["url", "send_resolved", "max_alerts", "timeout", "hmac_secret_file", "http_config"]
        for (key, _, value) in try reader.mapping(node, "webhook_configs", allowed: keys) {
            switch key {
            case "url": url = try self.url(value, reader, key)
            case "send_resolved": config.sendResolved = try reader.bool(value, key)
            case "max_alerts": config.maxAlerts = try reader.int(value, key)
            case "timeout": config.timeout = try reader.duration(value, key)
            case "hmac_secret_file": config.hmacSecret = WebhookSigner.key(from: try reader.secretFile(value, key, baseDirectory: baseDirectory))
            default: config.bearerToken = try httpConfig(value, reader, baseDirectory: baseDirectory)
            }
        }
        guard let url else { throw reader.error(node, "one of url or url_file must be configured") }
        config.url = url
        return config
    }

    static func pagerDuty(_ node: Node, _ reader: YAMLReader, baseDirectory: String) throws(ConfigError) -> PagerDutyConfig {
        var key: String?
        var config = PagerDutyConfig(routingKey: "")
        let keys: Set<String> = ["routing_key", "routing_key_file", "url", "send_resolved", "severity", "class", "component",
                                 "group", "details", "client", "client_url", "links", "timeout", "http_config"]
        for (name, _, value) in try reader.mapping(node, "pagerduty_configs", allowed: keys) {
            switch name {
            case "routing_key": key = try reader.string(value, name)
            case "routing_key_file": key = try reader.secretFile(value, name, baseDirectory: baseDirectory)
            case "url": config.url = try url(value, reader, name)
            case "send_resolved": config.sendResolved = try reader.bool(value, name)
            case "severity":
                config.severity = try reader.string(value, name)
                guard ["critical", "error", "warning", "info"].contains(config.severity) else {
                    throw reader.error(value, "severity must be critical, error, warning or info, got \"\(config.severity)\"")
                }
            case "class": config.class = try reader.string(value, name)
            case "component": config.component = try reader.string(value, name)
            case "group": config.group = try reader.string(value, name)
            case "details": config.details = try reader.stringMap(value, name)
            case "client": config.client = try reader.string(value, name)
            case "client_url": config.clientURL = try reader.string(value, name)
            case "timeout": config.timeout = try reader.duration(value, name)
            case "http_config": _ = try httpConfig(value, reader, baseDirectory: baseDirectory)
            default:
                for item in try reader.sequence(value, name) {
                    var href = "", text = ""
                    for (k, _, v) in try reader.mapping(item, "links", allowed: ["href", "text"]) {
                        if k == "href" { href = try reader.string(v, k) } else { text = try reader.string(v, k) }
                    }
                    config.links.append((href, text))
                }
            }
        }
        guard let key, !key.isEmpty else { throw reader.error(node, "missing routing_key or routing_key_file in PagerDuty config") }
        config.routingKey = key
        return config
    }

    static func alertmanager(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> AlertmanagerTarget {
        var target: AlertmanagerTarget?
        var timeout: Int64 = 10_000
        for (key, _, value) in try reader.mapping(node, "alertmanager_configs", allowed: ["url", "timeout"]) {
            if key == "url" { target = AlertmanagerTarget(url: try url(value, reader, key)) } else { timeout = try reader.duration(value, key) }
        }
        guard var target else { throw reader.error(node, "alertmanager_configs needs url") }
        target.timeout = timeout
        return target
    }

    static let weekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                             "october", "november", "december"]

    static func timeInterval(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> (String, [TimeInterval]) {
        var name: String?
        var intervals: [TimeInterval] = []
        for (key, _, value) in try reader.mapping(node, "time_intervals", allowed: ["name", "time_intervals"]) {
            if key == "name" { name = try reader.string(value, key); continue }
            for item in try reader.sequence(value, key) {
                var interval = TimeInterval()
                for (k, _, v) in try reader.mapping(item, "a time interval", allowed: ["times", "weekdays", "days_of_month", "months", "years", "location"]) {
                    switch k {
                    case "times":
                        for t in try reader.sequence(v, k) {
                            var start = 0, end = 0
                            for (tk, _, tv) in try reader.mapping(t, "times", allowed: ["start_time", "end_time"]) {
                                let text = try reader.string(tv, tk)
                                let parts = text.split(separator: ":").compactMap { Int($0) }
                                guard parts.count == 2, (0...24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                                    throw reader.error(tv, "invalid time \"\(text)\": use HH:MM")
                                }
                                if tk == "start_time" { start = parts[0] * 60 + parts[1] } else { end = parts[0] * 60 + parts[1] }
                            }
                            guard start < end else { throw reader.error(t, "start_time must be before end_time") }
                            interval.times.append(start..<end)
                        }
                    case "weekdays": interval.weekdays = try ranges(v, reader, k) { weekdayNames.firstIndex(of: $0.lowercased()) }
                    case "months": interval.months = try ranges(v, reader, k) { monthNames.firstIndex(of: $0.lowercased()).map { $0 + 1 } ?? Int($0) }
                    case "days_of_month": interval.daysOfMonth = try ranges(v, reader, k) { Int($0) }
                    case "years": interval.years = try ranges(v, reader, k) { Int($0) }
                    default:
                        let text = try reader.string(v, k)
                        guard let zone = text == "Local" ? TimeZone.current : TimeZone(identifier: text) else {
                            throw reader.error(v, "unknown time zone \"\(text)\"")
                        }
                        interval.location = zone
                    }
                }
                intervals.append(interval)
            }
        }
        guard let name else { throw reader.error(node, "a time interval needs a name") }
        return (name, intervals)
    }

    /// `monday:friday`, `1:5`, `-1`, `saturday`.
    static func ranges(_ node: Node, _ reader: YAMLReader, _ key: String, _ value: (String) -> Int?) throws(ConfigError) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        for text in try reader.strings(node, key) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { value(String($0)) }
            guard parts.count <= 2, parts.allSatisfy({ $0 != nil }), let low = parts.first!, let high = parts.last!, low <= high else {
                throw reader.error(node, "invalid \(key) range \"\(text)\"")
            }
            out.append(low...high)
        }
        return out
    }
}
