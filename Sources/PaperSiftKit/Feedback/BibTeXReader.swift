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
  /// removed, macros are expanded and the parts of a `#` concatenation are
  /// joined. A value that uses an undefined macro is empty.
  var fields: [String: String]
  /// The first undefined macro, as written, by lower-cased field name.
  var undefinedMacros: [String: String] = [:]
}

/// A reader of the entries of a BibTeX file.
///
/// As in BibTeX, text outside entries is a comment. `@comment` and
/// `@preamble` blocks are skipped whole, braces balanced. `@string` blocks
/// define macros, whose names are case-insensitive, for the values that
/// follow them. None of the three is returned. An entry may be delimited by
/// braces or parentheses.
struct BibTeXReader {
  /// The month macros that BibTeX's standard styles define, such as
  /// `jan` for "January".
  static let monthMacros: [String: String] = {
    let names = [
      "January", "February", "March", "April", "May", "June", "July", "August", "September",
      "October", "November", "December",
    ]
    return Dictionary(uniqueKeysWithValues: names.map { (String($0.prefix(3)).lowercased(), $0) })
  }()

  private let bytes: [UInt8]
  /// The file name used in error messages.
  private let source: String
  private var index = 0
  /// The 1-based line of `lineIndex`, advanced lazily by `line(at:)`.
  private var lineNumber = 1
  private var lineIndex = 0
  /// The values of the macros defined so far, by lower-cased name.
  private var macros = BibTeXReader.monthMacros
  /// The runs of text outside entries and blocks read so far.
  private var outside: [OutsideText] = []

  private init(text: String, source: String) {
    bytes = Array(text.utf8)
    self.source = source
  }

  /// Returns the entries of `text` in file order.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` when an entry or
  ///   `@string` block is not closed or a field has no `=` or no value. The
  ///   message names `source`, the entry's key and the line.
  static func entries(in text: String, source: String) throws -> [BibTeXEntry] {
    try read(text, source: source).entries
  }

  /// A run of text outside entries and `@comment`, `@preamble` and
  /// `@string` blocks, which BibTeX reads as a comment.
  struct OutsideText {
    /// The number of entries before the run.
    var entriesBefore: Int
    /// The 1-based line the run starts on.
    var line: Int
    var text: Substring
  }

  /// Returns the entries of `text` in file order, and the runs of text
  /// outside them.
  ///
  /// - Throws: ``PaperSiftError`` as ``entries(in:source:)`` does.
  static func read(_ text: String, source: String) throws
    -> (entries: [BibTeXEntry], outside: [OutsideText])
  {
    var reader = BibTeXReader(text: text, source: source)
    let entries = try reader.readEntries(of: text)
    return (entries, reader.outside)
  }

  private mutating func readEntries(of text: String) throws -> [BibTeXEntry] {
    var entries: [BibTeXEntry] = []
    var outsideStart = 0
    // Blocks start at an ASCII `@`, so each run of outside text is cut at
    // character boundaries.
    let keepOutside = { (reader: inout Self, end: Int, entriesBefore: Int) in
      guard outsideStart < end else { return }
      let utf8 = text.utf8
      let lower = utf8.index(utf8.startIndex, offsetBy: outsideStart)
      let upper = utf8.index(lower, offsetBy: end - outsideStart)
      reader.outside.append(
        OutsideText(
          entriesBefore: entriesBefore, line: reader.line(at: outsideStart),
          text: text[lower..<upper]))
    }
    while let at = bytes[index...].firstIndex(of: UInt8(ascii: "@")) {
      index = at + 1
      skipWhitespace()
      let type = readWhile { Self.isLetter($0) }.lowercased()
      skipWhitespace()
      guard !type.isEmpty, index < bytes.count,
        bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "(")
      else { continue }
      keepOutside(&self, at, entries.count)
      let line = line(at: at)
      let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ")")
      index += 1
      if type == "string" {
        try readMacros(line: line, close: close)
      } else if ["comment", "preamble"].contains(type) {
        try skipBlock(type: type, line: line, close: close)
      } else {
        entries.append(try readEntry(type: type, line: line, close: close))
      }
      outsideStart = index
    }
    keepOutside(&self, bytes.count, entries.count)
    return entries
  }

  /// Reads the key and fields after the opening delimiter, up to and
  /// including `close`.
  private mutating func readEntry(type: String, line: Int, close: UInt8) throws -> BibTeXEntry {
    skipWhitespace()
    let key = readWhile { $0 != UInt8(ascii: ",") && $0 != close && !Self.isWhitespace($0) }
    var entry = BibTeXEntry(type: type, key: key, line: line, fields: [:])
    try readAssignments(of: entry, kind: "field", close: close) { _, name, value in
      if let macro = value.undefinedMacro {
        entry.fields[name] = ""
        entry.undefinedMacros[name] = macro
      } else {
        entry.fields[name] = value.text
      }
    }
    return entry
  }

  /// Reads comma-separated `name = value` pairs up to and including `close`,
  /// passing the reader, each lowercased name and its value to `assign`, so
  /// that a macro defined in a block serves the rest of the block.
  ///
  /// - Parameters:
  ///   - block: The entry or `@string` block read, named in error messages.
  ///   - kind: `field` or `macro`, for the error message.
  ///   - close: The closing delimiter of the block.
  ///   - assign: Stores one pair.
  /// - Throws: ``PaperSiftError`` when the block is not closed or a pair is malformed.
  private mutating func readAssignments(
    of block: BibTeXEntry, kind: String, close: UInt8,
    assign: (inout Self, String, (text: String, undefinedMacro: String?)) -> Void
  ) throws {
    while true {
      skipWhitespace()
      guard index < bytes.count else { throw notClosed(block) }
      if bytes[index] == close {
        index += 1
        return
      }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      let name = readWhile { !Self.isWhitespace($0) && !Self.endsName($0) && $0 != close }
      skipWhitespace()
      guard !name.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
        throw malformed(block, "expected a \(kind) 'name = value' on line \(self.line(at: index))")
      }
      index += 1
      let value = try readValue(of: block, field: name, close: close)
      assign(&self, name.lowercased(), value)
    }
  }

  /// Reads the `name = value` definitions of an `@string` block after its
  /// opening delimiter, up to and including `close`.
  ///
  /// A BibTeX `@string` block normally contains one definition. This reader
  /// also accepts several, separated by commas. A macro whose value uses an
  /// undefined macro stays undefined, so that the entries that use it are
  /// reported.
  private mutating func readMacros(line: Int, close: UInt8) throws {
    let block = BibTeXEntry(type: "string", key: "", line: line, fields: [:])
    try readAssignments(of: block, kind: "macro", close: close) { reader, name, value in
      reader.macros[name] = value.undefinedMacro == nil ? value.text : nil
    }
  }

  /// Reads `part # part # ...`, where a part is `{...}`, `"..."`, a number
  /// or a macro name, and returns the joined text and the first undefined
  /// macro, if any.
  private mutating func readValue(of entry: BibTeXEntry, field: String, close: UInt8) throws
    -> (text: String, undefinedMacro: String?)
  {
    var value = ""
    var undefinedMacro: String?
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
        guard let first = token.first else {
          throw malformed(entry, "field '\(field)' has no value")
        }
        // A bare part that starts with a digit is text, as a BibTeX number
        // is. This reader keeps all of it, such as 2505.01136, not only the
        // digits.
        if first.isASCII, first.isNumber {
          value += token
        } else if let expansion = macros[token.lowercased()] {
          value += expansion
        } else {
          undefinedMacro = undefinedMacro ?? token
        }
      }
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "#") else {
        return (value, undefinedMacro)
      }
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

  /// Skips the body of an `@comment` or `@preamble` block.
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
