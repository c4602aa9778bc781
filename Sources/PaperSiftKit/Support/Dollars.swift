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
    if isBelowLeastShown(value) { return "<$0.0001" }
    return "$" + String(format: "%.4f", rounded(value))
  }

  /// Formats `value` for running text: as ``text(_:)`` does, but a positive
  /// amount below $0.00005 as `under $0.0001`, which reads as words.
  static func inText(_ value: Double) -> String {
    isBelowLeastShown(value) ? "under $0.0001" : text(value)
  }

  /// Formats an estimated `value` for running text, such as `about $0.0045`,
  /// or `under $0.0001` for a positive amount below $0.00005.
  static func about(_ value: Double) -> String {
    isBelowLeastShown(value) ? "under $0.0001" : "about " + text(value)
  }

  /// Checks whether `value`, rounded as ``rounded(_:)`` does, is positive but
  /// below $0.00005, so that four decimals would show it as $0.0000.
  private static func isBelowLeastShown(_ value: Double) -> Bool {
    let amount = rounded(value)
    return amount > 0 && amount < 0.000_05
  }
}
