import Foundation

/// One `@type{key, name = value, ...}` entry of a BibTeX file.
struct BibTeXEntry: Equatable {
  /// The entry type, lower-cased, such as `article` or `misc`.
  var type: String
  /// The citation key, possibly empty.
  var key: String
  /// The 1-based line of the entry's `@`.
  var line: Int
  /// Field values by lower-cased field name. Outer braces or quotes are
  /// removed, the parts of a `#` concatenation are joined, and `@string`
  /// macros are not expanded, so a macro part contributes its name.
  var fields: [String: String]
}

/// A reader of the entries of a BibTeX file.
///
/// As in BibTeX, text outside entries is a comment. `@comment`, `@preamble`
/// and `@string` blocks are skipped whole, braces balanced, and are not
/// returned. An entry may be delimited by braces or parentheses.
struct BibTeXReader {
  private let bytes: [UInt8]
  /// The file name used in error messages.
  private let source: String
  private var index = 0
  /// The 1-based line of `lineIndex`, advanced lazily by `line(at:)`.
  private var lineNumber = 1
  private var lineIndex = 0

  private init(text: String, source: String) {
    bytes = Array(text.utf8)
    self.source = source
  }

  /// Returns the entries of `text` in file order.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` when an entry is
  ///   not closed or a field has no `=` or no value. The message names
  ///   `source`, the entry's key and the line.
  static func entries(in text: String, source: String) throws -> [BibTeXEntry] {
    var reader = BibTeXReader(text: text, source: source)
    return try reader.readEntries()
  }

  private mutating func readEntries() throws -> [BibTeXEntry] {
    var entries: [BibTeXEntry] = []
    while let at = bytes[index...].firstIndex(of: UInt8(ascii: "@")) {
      index = at + 1
      skipWhitespace()
      let type = readWhile { Self.isLetter($0) }.lowercased()
      skipWhitespace()
      guard !type.isEmpty, index < bytes.count,
        bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "(")
      else { continue }
      let line = line(at: at)
      let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ")")
      index += 1
      if ["comment", "preamble", "string"].contains(type) {
        try skipBlock(type: type, line: line, close: close)
        continue
      }
      entries.append(try readEntry(type: type, line: line, close: close))
    }
    return entries
  }

  /// Reads the key and fields after the opening delimiter, up to and
  /// including `close`.
  private mutating func readEntry(type: String, line: Int, close: UInt8) throws -> BibTeXEntry {
    skipWhitespace()
    let key = readWhile { $0 != UInt8(ascii: ",") && $0 != close && !Self.isWhitespace($0) }
    var entry = BibTeXEntry(type: type, key: key, line: line, fields: [:])
    while true {
      skipWhitespace()
      guard index < bytes.count else { throw notClosed(entry) }
      if bytes[index] == close {
        index += 1
        return entry
      }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      let name = readWhile { !Self.isWhitespace($0) && !Self.endsName($0) && $0 != close }
      skipWhitespace()
      guard !name.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
        throw malformed(entry, "expected a field 'name = value' on line \(self.line(at: index))")
      }
      index += 1
      entry.fields[name.lowercased()] = try readValue(of: entry, field: name, close: close)
    }
  }

  /// Reads `part # part # ...`, where a part is `{...}`, `"..."`, a number or a macro name.
  private mutating func readValue(of entry: BibTeXEntry, field: String, close: UInt8) throws
    -> String
  {
    var value = ""
    while true {
      skipWhitespace()
      guard index < bytes.count else { throw notClosed(entry) }
      switch bytes[index] {
      case UInt8(ascii: "{"):
        value += try readDelimited(of: entry, quoted: false)
      case UInt8(ascii: "\""):
        value += try readDelimited(of: entry, quoted: true)
      default:
        let token = readWhile { !Self.isWhitespace($0) && !Self.endsName($0) && $0 != close }
        guard !token.isEmpty else {
          throw malformed(entry, "field '\(field)' has no value")
        }
        value += token
      }
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "#") else { return value }
      index += 1
    }
  }

  /// Reads `{...}` or `"..."` from its opening character and returns the
  /// text inside. Braces nest in both, and a quote inside braces does not
  /// end a quoted value.
  private mutating func readDelimited(of entry: BibTeXEntry, quoted: Bool) throws -> String {
    let start = index + 1
    var depth = quoted ? 0 : 1
    index += 1
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "{") {
        depth += 1
      } else if byte == UInt8(ascii: "}") {
        depth -= 1
        if depth == 0, !quoted { break }
      } else if byte == UInt8(ascii: "\""), quoted, depth == 0 {
        break
      }
      index += 1
    }
    guard index < bytes.count else { throw notClosed(entry) }
    index += 1
    return String(decoding: bytes[start..<index - 1], as: UTF8.self)
  }

  /// Skips the body of an `@comment`, `@preamble` or `@string` block.
  private mutating func skipBlock(type: String, line: Int, close: UInt8) throws {
    let open = close == UInt8(ascii: "}") ? UInt8(ascii: "{") : UInt8(ascii: "(")
    var depth = 1
    while index < bytes.count {
      if bytes[index] == open { depth += 1 }
      if bytes[index] == close { depth -= 1 }
      index += 1
      if depth == 0 { return }
    }
    throw notClosed(BibTeXEntry(type: type, key: "", line: line, fields: [:]))
  }

  private mutating func readWhile(_ accepts: (UInt8) -> Bool) -> String {
    let start = index
    while index < bytes.count, accepts(bytes[index]) { index += 1 }
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }

  private mutating func skipWhitespace() {
    while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
  }

  /// Returns the 1-based line of `position`, which must not precede an
  /// earlier call's, so that the whole file is counted once.
  private mutating func line(at position: Int) -> Int {
    lineNumber += bytes[lineIndex..<position].count { $0 == UInt8(ascii: "\n") }
    lineIndex = position
    return lineNumber
  }

  private func notClosed(_ entry: BibTeXEntry) -> PaperSiftError {
    malformed(entry, "it is not closed. Check its braces and quotes")
  }

  private func malformed(_ entry: BibTeXEntry, _ problem: String) -> PaperSiftError {
    let name = entry.key.isEmpty ? "@\(entry.type)" : "'\(entry.key)'"
    return PaperSiftError(
      .invalidInput,
      "Invalid BibTeX in '\(source)': in the entry \(name) on line \(entry.line), \(problem).")
  }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
  }

  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
  }

  /// Characters that end a field name or a bare value.
  private static func endsName(_ byte: UInt8) -> Bool {
    [
      UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "#"), UInt8(ascii: "{"),
      UInt8(ascii: "}"), UInt8(ascii: "\""),
    ].contains(byte)
  }
}
