import Foundation
import LookoutModel

/// OTLP's `AnyValue`/`KeyValue` to and from Lookout's `AttributeValue`/`Attribute`.
enum OTLPAttributes {
    /// Nesting deeper than this (arrays in maps in arrays…) is cut to an empty value; the
    /// protobuf decoder already refuses messages nested past its own depth limit.
    static let maxDepth = 16

    static func value(_ v: OTLPAnyValue, depth: Int = 0) -> AttributeValue {
        guard depth < maxDepth, let value = v.value else { return .empty }
        switch value {
        case .stringValue(let s): return .string(s)
        case .boolValue(let b): return .bool(b)
        case .intValue(let i): return .int(i)
        case .doubleValue(let d): return .double(d)
        case .bytesValue(let b): return .bytes(Array(b))
        case .arrayValue(let a): return .array(a.values.map { Self.value($0, depth: depth + 1) })
        case .kvlistValue(let kv): return .keyValues(attributes(kv.values, depth: depth + 1))
        case .stringValueStrindex: return .empty // profiles only: treated as absent, as the spec asks
        }
    }

    static func attributes(_ kvs: [OTLPKeyValue], depth: Int = 0) -> [Attribute] {
        kvs.map { Attribute($0.key, value($0.value, depth: depth)) }
    }

    static func anyValue(_ v: AttributeValue) -> OTLPAnyValue {
        var out = OTLPAnyValue()
        switch v {
        case .string(let s): out.stringValue = s
        case .bool(let b): out.boolValue = b
        case .int(let i): out.intValue = i
        case .double(let d): out.doubleValue = d
        case .bytes(let b): out.bytesValue = Data(b)
        case .array(let a): out.arrayValue = .with { $0.values = a.map(anyValue) }
        case .keyValues(let kv): out.kvlistValue = .with { $0.values = keyValues(kv) }
        case .empty: break
        }
        return out
    }

    static func keyValues(_ attributes: [Attribute]) -> [OTLPKeyValue] {
        attributes.map { a in OTLPKeyValue.with { $0.key = a.key; $0.value = anyValue(a.value) } }
    }
}
