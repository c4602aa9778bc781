import Foundation

/// Readable text for a `DecodingError`: the key path and what was wrong.
public enum JSONErrorText {
  /// Returns the line and column (from 1, in bytes) of the first syntax
  /// error in `data`, or nil when it parses or the parser gives no position.
  static func syntaxErrorLocation(in data: Data) -> (line: Int, column: Int)? {
    let message: String
    do {
      _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
      return nil
    } catch {
      guard let text = (error as NSError).userInfo["NSDebugDescription"] as? String else {
        return nil
      }
      message = text
    }
    // Foundation's message ends "... around character N." with N a byte offset from 0.
    guard let range = message.range(of: "character ") else { return nil }
    let digits = message[range.upperBound...].prefix { $0.isNumber }
    guard let offset = Int(digits) else { return nil }
    var line = 1
    var column = 1
    for byte in data.prefix(offset) {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else {
        column += 1
      }
    }
    return (line, column)
  }

  /// Names a Swift type as a JSON value, such as "a list" for an array.
  ///
  /// A type without a JSON name is "another kind of value", so that no
  /// Swift type name reaches the user.
  static func plainName(of type: Any.Type) -> String {
    let name = String(describing: type)
    if name.hasPrefix("Array") || name.contains("UnkeyedDecodingContainer") { return "a list" }
    if name.hasPrefix("Dictionary") || name.contains("KeyedDecodingContainer") {
      return "an object"
    }
    if name.hasPrefix("Int") || name.hasPrefix("UInt") { return "a whole number" }
    switch name {
    case "String": return "a string"
    case "Double", "Float": return "a number"
    case "Bool": return "true or false"
    default: return "another kind of value"
    }
  }

  /// Names a value as the text shows it, such as `the string "30"` or `the number 2.5`.
  static func describeFound(_ value: JSONTextScan.Value) -> String {
    switch value.text.first {
    case "{": return "an object"
    case "[": return "a list"
    case "\"":
      // A long string may be an API key pasted in the wrong place, so only its length is shown.
      let length = value.text.count - 2
      return length <= 16 ? "the string \(value.text)" : "a string of \(length) characters"
    case "t", "f", "n": return value.text
    default: return "the number \(value.text)"
    }
  }

  public static func describe(_ error: DecodingError) -> String {
    describe(error, scan: nil)
  }

  /// Describes `error` from decoding the text that `scan` read.
  ///
  /// With a scan, the text also gives the line of the value and, for a
  /// value of the wrong type, the value as written.
  static func describe(_ error: DecodingError, scan: JSONTextScan?) -> String {
    func location(_ context: DecodingError.Context) -> String {
      let path = JSONPath(codingPath: context.codingPath)
      guard let line = scan?.values[path]?.line else { return "\(path)" }
      return "\(path) on line \(line)"
    }
    switch error {
    case .typeMismatch(let type, let context):
      let expected = plainName(of: type)
      let text = "expected \(expected) at \(location(context))"
      guard let value = scan?.values[JSONPath(codingPath: context.codingPath)] else { return text }
      // JSONDecoder reads 1e2 as the whole number 100, so a whole number
      // that failed to decode is beyond the range of Int.
      let isWhole = Double(value.text).map { $0 == $0.rounded() } ?? false
      let outOfRange = expected == "a whole number" && isWhole ? ", which is out of range" : ""
      return text + ", found \(describeFound(value))" + outOfRange
    case .valueNotFound(let type, let context):
      return "expected \(plainName(of: type)) at \(location(context)), found null"
    case .keyNotFound(let key, let context):
      return "missing key '\(key.stringValue)' at \(location(context))"
    case .dataCorrupted(let context):
      let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"]
      let description =
        context.debugDescription.hasSuffix(".")
        ? String(context.debugDescription.dropLast()) : context.debugDescription
      return "\(description) at \(location(context))"
        + (underlying.map { " (\($0))" } ?? "")
    @unknown default:
      return String(describing: error)
    }
  }
}
