import Foundation

/// Range checks shared by the sections of the configuration.
enum SettingRange {
  /// The maximum timeout or delay accepted, in seconds (one day). Longer
  /// values are almost certainly typos, and curl takes milliseconds in a
  /// C `long`, which a value such as 1e19 seconds would overflow.
  static let maxSeconds = 86_400.0

  /// Checks that `value` is a finite number of seconds above 0, or at 0 when
  /// `allowsZero`, and at most ``maxSeconds``.
  ///
  /// - Parameters:
  ///   - key: The dotted key, such as `llm.requestTimeout`, for the message.
  ///   - value: The configured number of seconds.
  ///   - allowsZero: Whether 0 is accepted, as for retry delays.
  /// - Throws: ``PaperSiftError`` with code `configuration` naming the key,
  ///   the value and the accepted range.
  static func checkSeconds(_ key: String, _ value: Double, allowsZero: Bool = false) throws {
    let aboveMinimum = allowsZero ? value >= 0 : value > 0
    guard value.isFinite, aboveMinimum, value <= maxSeconds else {
      let lower = allowsZero ? "from 0" : "above 0"
      throw PaperSiftError(
        .configuration,
        "Invalid \(key) \(numberText(value)) in the configuration: expected a number of "
          + "seconds \(lower) and at most \(Int(maxSeconds)) (one day).")
    }
  }

  /// The attempts a request may make: a hundred attempts of a slow server
  /// would already keep a night's run busy for days.
  static let attempts = 1...100

  /// Checks that `value` is a finite number within `range`, and above its
  /// lower bound when `excludingLower`.
  static func checkNumber(
    _ key: String, _ value: Double, in range: ClosedRange<Double>, excludingLower: Bool = false
  ) throws {
    let aboveLower = excludingLower ? value > range.lowerBound : value >= range.lowerBound
    guard value.isFinite, aboveLower, value <= range.upperBound else {
      let bound = numberText(range.lowerBound)
      let lower = excludingLower ? "above \(bound)" : "from \(bound)"
      throw PaperSiftError(
        .configuration,
        "Invalid \(key) \(numberText(value)) in the configuration: expected a number \(lower) "
          + "to \(numberText(range.upperBound)).")
    }
  }

  /// Checks that `value` is within `range`.
  static func checkCount(_ key: String, _ value: Int, in range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
      throw PaperSiftError(
        .configuration,
        "Invalid \(key) \(value) in the configuration: expected a whole number from "
          + "\(range.lowerBound) to \(range.upperBound).")
    }
  }

  /// Checks that `value` is empty or an environment variable name in the
  /// usual form: upper-case letters, digits and `_`, not starting with a
  /// digit, at most 64 characters.
  ///
  /// Lower case is refused although POSIX allows it, because many providers'
  /// keys (`gsk_...`, `hf_...`) are otherwise valid names. The message does
  /// not show the value, because a value that is not such a name is most
  /// often the API key itself, pasted in place of the name.
  static func checkVariableName(_ key: String, _ value: String) throws {
    guard !value.isEmpty else { return }
    let isName = value.count <= 64 && value.wholeMatch(of: /[A-Z_][A-Z0-9_]*/) != nil
    guard isName else {
      throw PaperSiftError(
        .configuration,
        "Invalid \(key) in the configuration: the value is not an environment variable name "
          + "(upper-case letters, digits and _, not starting with a digit) and may be an API "
          + "key itself, so it is not shown. Set \(key) to the name of the variable that "
          + "contains the key, such as OPENAI_API_KEY, and export the key in that variable. Use \"\" "
          + "for a server that needs no key.")
    }
  }
}
