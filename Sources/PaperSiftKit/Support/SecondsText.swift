import Foundation

/// Formats a number as a user would write it in `config.json`: `300` for a
/// whole number, `0.5` or `1e+20` otherwise, never `300.0`.
func numberText(_ value: Double) -> String {
  value.rounded() == value && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
}

/// Formats a duration for messages: `300 s` or `0.5 s`.
func secondsText(_ value: Double) -> String {
  numberText(value) + " s"
}
