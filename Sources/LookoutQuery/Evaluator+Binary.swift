import Foundation
import LookoutModel

extension Evaluator {
    func evalBinary(_ b: BinaryOperation, at t: Int64) throws(QueryError) -> Value {
        let lhs = try eval(b.lhs, at: t)
        let rhs = try eval(b.rhs, at: t)
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            let (v, keep) = Evaluator.apply(b.op, l, r)
            if b.op.isComparison { return .scalar(keep ? 1 : 0) }
            return .scalar(v)
        case (.vector(let l), .scalar(let r)):
            return .vector(vectorScalar(b, l, r, swap: false, at: t))
        case (.scalar(let l), .vector(let r)):
            return .vector(vectorScalar(b, r, l, swap: true, at: t))
        case (.vector(let l), .vector(let r)):
            let matching = b.matching ?? VectorMatching()
            let out: [VSample]
            switch b.op {
            case .and: out = try setAnd(l, r, matching)
            case .or: out = try setOr(l, r, matching)
            case .unless: out = try setUnless(l, r, matching)
            default: out = try vectorVector(b, l, r, matching, at: t)
            }
            try checkDistinct(out)
            return .vector(out)
        default:
            throw .execution("binary expression must contain only scalar and instant vector types")
        }
    }

    /// Value and whether a comparison keeps the element (always true for arithmetic).
    static func apply(_ op: BinaryOperation.Operator, _ l: Double, _ r: Double) -> (Double, Bool) {
        switch op {
        case .add: return (l + r, true)
        case .sub: return (l - r, true)
        case .mul: return (l * r, true)
        case .div: return (l / r, true)
        case .pow: return (Foundation.pow(l, r), true)
        case .mod: return (fmod(l, r), true)
        case .atan2: return (Foundation.atan2(l, r), true)
        case .eql: return (l, l == r)
        case .neq: return (l, l != r)
        case .gtr: return (l, l > r)
        case .lss: return (l, l < r)
        case .gte: return (l, l >= r)
        case .lte: return (l, l <= r)
        case .and, .or, .unless: return (l, true)
        }
    }

    func vectorScalar(_ b: BinaryOperation, _ vec: [VSample], _ scalar: Double, swap: Bool, at t: Int64) -> [VSample] {
        var out: [VSample] = []
        out.reserveCapacity(vec.count)
        for s in vec {
            let (l, r) = swap ? (scalar, s.value) : (s.value, scalar)
            var (value, keep) = Evaluator.apply(b.op, l, r)
            if b.op.isComparison && swap { value = r }
            if b.returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            let labels = b.op.dropsMetricName || b.returnBool ? s.labels.droppingMetricName : s.labels
            out.append(VSample(labels: labels, time: t, value: value))
        }
        return out
    }

    /// Computes match-group signatures for one binary operation.
    struct Signer {
        let on: Bool
        let names: Set<String>

        init(_ m: VectorMatching) {
            on = m.on
            names = m.on ? Set(m.labels) : Set(m.labels).union([Labels.metricName])
        }

        func callAsFunction(_ labels: Labels) -> Labels {
            on ? labels.keeping(names) : labels.removing(names)
        }
    }

    func signature(_ labels: Labels, _ m: VectorMatching) -> Labels { Signer(m)(labels) }

    func setAnd(_ l: [VSample], _ r: [VSample], _ m: VectorMatching) throws(QueryError) -> [VSample] {
        if l.isEmpty || r.isEmpty { return [] }
        let sign = Signer(m)
        let right = Set(r.map { sign($0.labels) })
        return l.filter { right.contains(sign($0.labels)) }
    }

    func setOr(_ l: [VSample], _ r: [VSample], _ m: VectorMatching) throws(QueryError) -> [VSample] {
        if l.isEmpty { return r }
        if r.isEmpty { return l }
        let sign = Signer(m)
        let left = Set(l.map { sign($0.labels) })
        return l + r.filter { !left.contains(sign($0.labels)) }
    }

    func setUnless(_ l: [VSample], _ r: [VSample], _ m: VectorMatching) throws(QueryError) -> [VSample] {
        if l.isEmpty || r.isEmpty { return l }
        let sign = Signer(m)
        let right = Set(r.map { sign($0.labels) })
        return l.filter { !right.contains(sign($0.labels)) }
    }

    func vectorVector(_ b: BinaryOperation, _ lhsIn: [VSample], _ rhsIn: [VSample], _ m: VectorMatching,
                      at t: Int64) throws(QueryError) -> [VSample] {
        if lhsIn.isEmpty || rhsIn.isEmpty { return [] }
        let oneToMany = m.cardinality == .oneToMany
        let (lhs, rhs) = oneToMany ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        let sign = Signer(m)
        var rightSigs: [Labels: VSample] = [:]
        for rs in rhs {
            let sig = sign(rs.labels)
            if let dup = rightSigs[sig] {
                let side = oneToMany ? "left" : "right"
                let matched = sig
                throw .execution("found duplicate series for the match group \(matched) on the \(side) hand-side of the operation: [\(rs.labels), \(dup.labels)];many-to-many matching not allowed: matching labels must be unique on one side")
            }
            rightSigs[sig] = rs
        }
        var matchedSigs: [Labels: Set<Labels>] = [:]
        var out: [VSample] = []
        for ls in lhs {
            let sig = sign(ls.labels)
            guard let rs = rightSigs[sig] else { continue }
            let (vl, vr) = oneToMany ? (rs.value, ls.value) : (ls.value, rs.value)
            var (value, keep) = Evaluator.apply(b.op, vl, vr)
            if b.returnBool {
                value = keep ? 1 : 0
            } else if !keep {
                continue
            }
            var metric = resultMetric(ls.labels, rs.labels, b.op, m)
            if b.returnBool { metric = metric.droppingMetricName }
            if m.cardinality == .oneToOne {
                if matchedSigs[sig] != nil {
                    throw .execution("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
                matchedSigs[sig] = []
            } else {
                if matchedSigs[sig]?.contains(metric) == true {
                    throw .execution("multiple matches for labels: grouping labels must ensure unique matches")
                }
                matchedSigs[sig, default: []].insert(metric)
            }
            out.append(VSample(labels: metric, time: t, value: value))
        }
        return out
    }

    func resultMetric(_ lhs: Labels, _ rhs: Labels, _ op: BinaryOperation.Operator, _ m: VectorMatching) -> Labels {
        var result = lhs
        if op.dropsMetricName { result = result.droppingMetricName }
        if m.cardinality == .oneToOne {
            if m.on {
                result = result.keeping(Set(m.labels))
            } else {
                result = result.removing(Set(m.labels))
            }
        }
        for name in m.include {
            result = result.setting(name, to: rhs[name] ?? "")
        }
        return result
    }
}
