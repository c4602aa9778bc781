import Foundation

/// Readable text for a `DecodingError`: the key path and what was wrong.
public enum JSONErrorText {
  /// Describes `error`; when `data` is given and is not valid JSON, the
  /// text also gives the line and column where parsing stopped.
  public static func describe(_ error: DecodingError, in data: Data?) -> String {
    guard case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let data else {
      return describe(error)
    }
    if data.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
      return "the file is empty; write {} for the defaults"
    }
    // Foundation reports a number too large for an integer setting, such
    // as 1e300, as invalid JSON at the top level, without the key.
    if let (key, number) = outOfRangeNumber(in: data) {
      return "the number \(number) at \(key) is out of range; use a whole number such as the "
        + "default, or leave the key out"
    }
    guard let location = syntaxErrorLocation(in: data) else { return describe(error) }
    return "not valid JSON near line \(location.line), column \(location.column)"
  }

  /// Returns the dotted key and the value of the first number in `data`
  /// beyond the range of `Int`, or nil when it has none or does not parse.
  static func outOfRangeNumber(in data: Data) -> (key: String, number: String)? {
    guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
    func search(_ value: Any, path: String) -> (key: String, number: String)? {
      if let object = value as? [String: Any] {
        for key in object.keys.sorted() {
          let keyPath = path.isEmpty ? key : path + "." + key
          if let found = object[key].flatMap({ search($0, path: keyPath) }) { return found }
        }
      } else if let array = value as? [Any] {
        for (index, element) in array.enumerated() {
          if let found = search(element, path: path + "[\(index)]") { return found }
        }
      } else if let number = value as? NSNumber, !(value is Bool) {
        let double = number.doubleValue
        if !double.isFinite || abs(double) >= 9.2e18 { return (path, "\(double)") }
      }
      return nil
    }
    return search(root, path: "")
  }

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
  static func plainName(of type: Any.Type) -> String {
    let name = String(describing: type)
    if name.hasPrefix("Array") { return "a list" }
    if name.hasPrefix("Dictionary") { return "an object" }
    switch name {
    case "String": return "a string"
    case "Int", "Int64", "Int32": return "a whole number"
    case "Double", "Float": return "a number"
    case "Bool": return "true or false"
    default: return name
    }
  }

  public static func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
      let keys = context.codingPath.map { key in
        key.intValue.map { "[\($0)]" } ?? key.stringValue
      }
      return keys.isEmpty ? "top level" : keys.joined(separator: ".")
    }
    switch error {
    case .typeMismatch(let type, let context):
      return "expected \(plainName(of: type)) at \(path(context))"
    case .valueNotFound(let type, let context):
      return "missing \(type) value at \(path(context))"
    case .keyNotFound(let key, let context):
      return "missing key '\(key.stringValue)' at \(path(context))"
    case .dataCorrupted(let context):
      let underlying = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"]
      let description =
        context.debugDescription.hasSuffix(".")
        ? String(context.debugDescription.dropLast()) : context.debugDescription
      return "\(description) at \(path(context))"
        + (underlying.map { " (\($0))" } ?? "")
    @unknown default:
      return String(describing: error)
    }
  }
}
