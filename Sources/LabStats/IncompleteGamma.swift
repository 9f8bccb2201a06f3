import Foundation

/// The regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x), for the chi-square
/// p-value Q(df/2, χ²/2). The method of Numerical Recipes (3rd ed., §6.2, `gammp`/`gammq`): the power
/// series for P converges fast when x < a + 1, the continued fraction for Q (evaluated by modified
/// Lentz) when x ≥ a + 1; each is used where it converges, and the other value comes from 1 − it, so
/// a tiny p-value is never computed as 1 minus something close to 1.
public enum IncompleteGamma {
    static let epsilon = 1e-15
    static let maxIterations = 10_000
    /// Below this Lentz's denominators are replaced, so a zero never divides.
    static let tiny = Double.leastNormalMagnitude / epsilon

    /// Q(a, x) = Γ(a, x) / Γ(a). Precondition: a > 0, x ≥ 0.
    public static func upperRegularized(a: Double, x: Double) -> Double {
        precondition(a > 0 && x >= 0, "Q(a, x) needs a > 0 and x ≥ 0 (got a = \(a), x = \(x))")
        if x == 0 { return 1 }
        return x < a + 1 ? 1 - series(a: a, x: x) : continuedFraction(a: a, x: x)
    }

    /// P(a, x) = γ(a, x) / Γ(a). Precondition: a > 0, x ≥ 0.
    public static func lowerRegularized(a: Double, x: Double) -> Double {
        precondition(a > 0 && x >= 0, "P(a, x) needs a > 0 and x ≥ 0 (got a = \(a), x = \(x))")
        if x == 0 { return 0 }
        return x < a + 1 ? series(a: a, x: x) : 1 - continuedFraction(a: a, x: x)
    }

    /// The prefactor x^a e^−x / Γ(a), in logs so large a and x do not overflow.
    private static func prefactor(a: Double, x: Double) -> Double {
        exp(a * log(x) - x - lgamma(a))
    }

    /// P(a, x) = prefactor · Σₙ xⁿ / (a (a+1) … (a+n)).
    private static func series(a: Double, x: Double) -> Double {
        var denominator = a
        var term = 1 / a
        var sum = term
        for _ in 0..<maxIterations {
            denominator += 1
            term *= x / denominator
            sum += term
            if abs(term) < abs(sum) * epsilon { break }
        }
        return min(1, sum * prefactor(a: a, x: x))
    }

    /// Q(a, x) = prefactor · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …))), by modified Lentz.
    private static func continuedFraction(a: Double, x: Double) -> Double {
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...maxIterations {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return min(1, h * prefactor(a: a, x: x))
    }
}
