import Foundation

/// Dollar amounts as the digest and the run's summary line write them.
enum Dollars {
  /// The decimals that a written dollar amount keeps.
  ///
  /// Ten decimals remove the noise of binary floating point from sums such
  /// as 0.004453349999999999, and keep exact the price of a token for any
  /// price per million tokens given to four decimals, such as $0.005.
  static let decimals = 10

  /// Returns `value` rounded to ``decimals`` decimals.
  static func rounded(_ value: Double) -> Double {
    // 10^10 is exact in a Double, so the division returns the Double
    // nearest to the rounded decimal, which prints without noise.
    let scale = 1e10
    return (value * scale).rounded() / scale
  }

  /// Formats `value`, rounded as ``rounded(_:)`` does, with four decimals,
  /// such as `$0.0045` or `$1.2500`, and a positive amount below $0.00005
  /// as `<$0.0001`, so that a cost never reads as zero.
  static func text(_ value: Double) -> String {
    let amount = rounded(value)
    if amount > 0, amount < 0.000_05 { return "<$0.0001" }
    return "$" + String(format: "%.4f", amount)
  }
}
