import Foundation

/// The location of a value in a JSON document, such as `llm.batchSize` or
/// `fetch.categories[0]`.
struct JSONPath: Hashable, CustomStringConvertible {
  enum Component: Hashable {
    case key(String)
    case index(Int)
  }

  var components: [Component]

  init(_ components: [Component] = []) {
    self.components = components
  }

  /// Creates the path of a decoding error, where list elements have integer keys.
  init(codingPath: [any CodingKey]) {
    components = codingPath.map { key in
      key.intValue.map(Component.index) ?? .key(key.stringValue)
    }
  }

  /// Dotted keys with `[index]` for list elements, or `top level` for the root.
  var description: String {
    guard !components.isEmpty else { return "top level" }
    var text = ""
    for component in components {
      switch component {
      case .key(let key): text += text.isEmpty ? key : "." + key
      case .index(let index): text += "[\(index)]"
      }
    }
    return text
  }
}

/// A strict reading of a JSON text, for what Foundation's parser lets pass.
///
/// `JSONSerialization` and `JSONDecoder` (Swift 6.3 on Linux) accept a comma
/// after the last member of an object or list, and keep one of the values of
/// a repeated key. They reject a number beyond the range of `Double` and a
/// lone surrogate escape such as `\ud800`, but without naming where it is.
/// The scan finds these problems and records each value's source text and
/// line, so that messages can show them. At any other syntax error it stops,
/// and leaves that error to Foundation's parser.
struct JSONTextScan {
  /// A value as written in the text.
  struct Value: Equatable {
    /// The source text of a string (with its quotes), number, `true`, `false`
    /// or `null`, or `{` for an object and `[` for a list.
    var text: String
    /// The line the value starts on, from 1.
    var line: Int
  }

  /// A construct that strict JSON or PaperSift rejects.
  enum Problem: Equatable, CustomStringConvertible {
    /// Bytes that are not UTF-8, or a NUL byte as UTF-16 and UTF-32 text has.
    case notUTF8
    /// A comma right before the `}` or `]` that closes an object or list.
    case trailingComma(line: Int, closing: Character)
    /// A key that the same object already has.
    case duplicateKey(JSONPath, line: Int, firstLine: Int)
    /// A number beyond the range of `Double`, such as `1e400`.
    case numberOutOfRange(JSONPath, text: String, line: Int)
    /// A `\u` escape of a UTF-16 surrogate without its other half, such as
    /// `\ud800`, which encodes no character.
    case loneSurrogate(escape: String, line: Int)

    var description: String {
      switch self {
      case .notUTF8:
        return "the text is not UTF-8, so save the file as UTF-8"
      case .trailingComma(let line, let closing):
        return "trailing comma on line \(line) before '\(closing)', which JSON does not allow, "
          + "so delete the comma"
      case .duplicateKey(let path, let line, let firstLine):
        return "duplicate key \(path) on line \(line) (first on line \(firstLine)), "
          + "so keep only one of the two"
      case .numberOutOfRange(let path, let text, let line):
        return "the number \(text) at \(path) on line \(line) is out of range, so use a value "
          + "such as the default or leave the key out"
      case .loneSurrogate(let escape, let line):
        return "the escape \(escape) on line \(line) is a lone UTF-16 surrogate, which encodes "
          + "no character, so write the character itself or both escapes of its surrogate pair"
      }
    }
  }

  /// Every value read before the scan ended, by its path.
  private(set) var values: [JSONPath: Value] = [:]
  /// The first problem found, or nil when there is none.
  private(set) var problem: Problem?

  /// The path and value of the first object member, by line, whose value is
  /// `null`, or nil when there is none. Elements of lists are left out.
  var firstNullMember: (path: JSONPath, value: Value)? {
    let members = values.filter { path, value in
      guard case .key = path.components.last else { return false }
      return value.text == "null"
    }
    return members.min { first, second in
      (first.value.line, first.key.description) < (second.value.line, second.key.description)
    }
    .map { (path: $0.key, value: $0.value) }
  }

  /// Scans `data`, read as UTF-8 with an optional byte order mark.
  init(_ data: Data) {
    // JSON between systems must be UTF-8 (RFC 8259, section 8.1). Foundation
    // also reads UTF-16, whose NUL bytes would stop the scan early.
    guard !data.contains(0), String(validating: data, as: UTF8.self) != nil else {
      problem = .notUTF8
      return
    }
    var reader = Reader(bytes: [UInt8](data))
    reader.run()
    values = reader.values
    problem = reader.problem
  }
}

extension JSONTextScan {
  /// The last token read, which decides what may come next.
  private enum Token {
    case start, open, close, key, colon, comma, scalar
  }

  /// An object or list still open, with the member being read.
  private enum Container {
    /// An object with the line of each key read so far, and the current key.
    case object(keys: [String: Int], key: String?)
    /// A list with the index of the current element.
    case list(index: Int)
  }

  private struct Reader {
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var previous = Token.start
    var commaLine = 0
    var stack: [Container] = []
    var values: [JSONPath: Value] = [:]
    var problem: Problem?

    init(bytes: [UInt8]) {
      self.bytes = bytes
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    /// The path of the value at the current position.
    var path: JSONPath {
      JSONPath(
        stack.map { container in
          switch container {
          case .object(_, let key): .key(key ?? "")
          case .list(let index): .index(index)
          }
        })
    }

    /// Whether a value may start here: at the start, after a key's colon,
    /// or as a list element.
    var expectsValue: Bool {
      switch (stack.last, previous) {
      case (nil, .start), (.object, .colon), (.list, .open), (.list, .comma): true
      default: false
      }
    }

    /// Reads tokens until the text ends, a problem is found, or a syntax
    /// error stops the scan.
    mutating func run() {
      while index < bytes.count, problem == nil {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\n") { line += 1 }
        if [0x20, 0x09, 0x0A, 0x0D].contains(byte) {
          index += 1
          continue
        }
        guard read(byte) else { return }
      }
    }

    /// Reads the token that starts with `byte`, and returns false at a syntax error.
    mutating func read(_ byte: UInt8) -> Bool {
      switch byte {
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        guard expectsValue else { return false }
        values[path] = Value(text: String(UnicodeScalar(byte)), line: line)
        stack.append(byte == UInt8(ascii: "{") ? .object(keys: [:], key: nil) : .list(index: 0))
        previous = .open
        index += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        return close(byte)
      case UInt8(ascii: ":"):
        guard previous == .key else { return false }
        previous = .colon
        index += 1
      case UInt8(ascii: ","):
        return comma()
      case UInt8(ascii: "\""):
        return string()
      default:
        return scalar()
      }
      return true
    }

    mutating func close(_ byte: UInt8) -> Bool {
      let closesObject = byte == UInt8(ascii: "}")
      switch (stack.last, previous) {
      case (.object, .comma) where closesObject, (.list, .comma) where !closesObject:
        problem = .trailingComma(line: commaLine, closing: Character(UnicodeScalar(byte)))
        return true
      case (.object, .open), (.object, .scalar), (.object, .close):
        guard closesObject else { return false }
      case (.list, .open), (.list, .scalar), (.list, .close):
        guard !closesObject else { return false }
      default:
        return false
      }
      stack.removeLast()
      previous = .close
      index += 1
      return true
    }

    mutating func comma() -> Bool {
      guard previous == .scalar || previous == .close else { return false }
      switch stack.last {
      case .object(let keys, _): stack[stack.count - 1] = .object(keys: keys, key: nil)
      case .list(let element): stack[stack.count - 1] = .list(index: element + 1)
      case nil: return false
      }
      previous = .comma
      commaLine = line
      index += 1
      return true
    }

    /// Reads a string, which is a key right after `{` or a comma in an object.
    mutating func string() -> Bool {
      let start = index
      index += 1
      while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
        // A raw line break is invalid inside a string, so Foundation's parser reports it.
        guard bytes[index] != UInt8(ascii: "\n") else { return false }
        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
      }
      guard index < bytes.count else { return false }
      index += 1
      let text = Array(bytes[start..<index])
      if let escape = Self.loneSurrogateEscape(in: text) {
        problem = .loneSurrogate(escape: escape, line: line)
        return true
      }

      guard case .object(var keys, _) = stack.last, previous == .open || previous == .comma else {
        return value(String(decoding: text, as: UTF8.self))
      }
      // Decoding resolves escapes, so that "\u006clm" and "llm" are the same key.
      guard let key = try? JSONDecoder().decode(String.self, from: Data(text)) else { return false }
      if let firstLine = keys[key] {
        problem = .duplicateKey(
          JSONPath(path.components.dropLast() + [.key(key)]), line: line, firstLine: firstLine)
        return true
      }
      keys[key] = line
      stack[stack.count - 1] = .object(keys: keys, key: key)
      previous = .key
      return true
    }

    /// Returns the first `\u` escape in the string `text` (quotes included)
    /// of a UTF-16 surrogate without its other half, as written, or nil.
    ///
    /// A high surrogate (D800 to DBFF) must be followed at once by an escape
    /// of a low one (DC00 to DFFF), and a low one must follow a high one.
    static func loneSurrogateEscape(in text: [UInt8]) -> String? {
      func unit(at offset: Int) -> UInt16? {
        guard offset + 6 <= text.count, text[offset] == UInt8(ascii: "\\"),
          text[offset + 1] == UInt8(ascii: "u")
        else { return nil }
        return UInt16(String(decoding: text[offset + 2..<offset + 6], as: UTF8.self), radix: 16)
      }
      var offset = 0
      while offset < text.count {
        guard text[offset] == UInt8(ascii: "\\") else {
          offset += 1
          continue
        }
        guard let first = unit(at: offset) else {
          offset += 2
          continue
        }
        let escape = String(decoding: text[offset..<offset + 6], as: UTF8.self)
        switch first {
        case 0xD800...0xDBFF:
          guard let second = unit(at: offset + 6), (0xDC00...0xDFFF).contains(second) else {
            return escape
          }
          offset += 12
        case 0xDC00...0xDFFF:
          return escape
        default:
          offset += 6
        }
      }
      return nil
    }

    /// The bytes a JSON number is written with.
    static let numberBytes = Set("+-.0123456789Ee".utf8)
    /// The bytes of a number, `true`, `false` or `null`.
    static let scalarBytes = numberBytes.union("aeflnrstu".utf8)

    /// Reads a number, `true`, `false` or `null`.
    mutating func scalar() -> Bool {
      let start = index
      while index < bytes.count, Self.scalarBytes.contains(bytes[index]) { index += 1 }
      guard index > start, expectsValue else { return false }
      let text = String(decoding: bytes[start..<index], as: UTF8.self)
      let isNumber = text.utf8.allSatisfy { Self.numberBytes.contains($0) }
      if isNumber, let number = Double(text), !number.isFinite {
        problem = .numberOutOfRange(path, text: text, line: line)
        return true
      }
      return value(text)
    }

    /// Records the string or scalar `text` at the current path.
    mutating func value(_ text: String) -> Bool {
      guard expectsValue else { return false }
      values[path] = Value(text: text, line: line)
      previous = .scalar
      return true
    }
  }
}
