import Foundation

/// Formats a duration for messages: `300 s` or `0.5 s`.
func secondsText(_ value: Double) -> String {
  value.rounded() == value && abs(value) < 1e15 ? "\(Int(value)) s" : "\(value) s"
}
