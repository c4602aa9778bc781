import Foundation

// How one line of an id list is split into ids.
extension FeedbackInput {
  /// The ids of one list line, and its parts that are no valid id.
  struct ListLine {
    var identifiers: [ArxivIdentifier] = []
    var invalid: [InvalidListLine] = []
  }

  /// Reads the ids of `line`, the 1-based line `number` of a list.
  ///
  /// A `#` at the start or after a separator starts a comment, so a URL's
  /// `#fragment` stays. Ids are separated by spaces, tabs, commas or
  /// semicolons. Unicode spaces such as the no-break space U+00A0, and the
  /// zero-width space U+200B, separate ids too, because text copied from
  /// PDFs and web pages has them. A part in brackets right after an id,
  /// such as the `[cs.LG]` of `arXiv:2505.00733 [cs.LG]` that arXiv's pages
  /// show or `[cs.LG, stat.ML]`, is skipped, and so is a day such as
  /// `1 May 2025` after it, as in arXiv's PDF stamp.
  /// When no part of the line is an id, the line is one invalid line, else
  /// each part that is no id is invalid on its own. A new-style id whose
  /// month is after `currentMonth` is invalid.
  static func readListLine(_ line: Substring, number: Int, currentMonth: Int) -> ListLine {
    let text = String(withoutComment(line).trimming(.whitespaces) { isBlank($0) })
    var result = ListLine()
    guard !text.isEmpty else { return result }
    let parts = splitParts(text)
    var invalidParts: [InvalidListLine] = []
    var followsID = false
    var index = 0
    while index < parts.count {
      let part = parts[index]
      index += 1
      if followsID, let end = categoriesEnd(parts, from: index - 1) {
        followsID = false
        index = end
        // The stamp in the margin of arXiv's PDFs ends in the day of the version.
        if index + 3 <= parts.count, isDay(parts[index..<index + 3]) { index += 3 }
        continue
      }
      let (identifier, rejection) = readID(String(part), currentMonth: currentMonth)
      followsID = identifier != nil
      if let identifier {
        result.identifiers.append(identifier)
      } else {
        invalidParts.append(
          InvalidListLine(line: number, text: String(part), rejection: rejection))
      }
    }
    if result.identifiers.isEmpty, parts.count > 1 {
      let rejection = invalidParts.lazy.compactMap(\.rejection).first
      result.invalid = [InvalidListLine(line: number, text: text, rejection: rejection)]
    } else {
      result.invalid = invalidParts.map { part in
        var part = part
        part.isPartOfLine = parts.count > 1
        return part
      }
    }
    return result
  }

  /// Reads a line of a BibTeX file outside entries as a list line, when it
  /// contains an id or text that resembles one.
  ///
  /// Other lines are BibTeX comments, such as the `Encoding: UTF-8` header
  /// that JabRef writes, and so is a line that starts with `%`, the comment
  /// mark of TeX. Text resembles an id when it contains `arxiv`, four digits,
  /// a dot and a digit, or a slash and five digits, as a mistyped id does.
  static func readOutsideLine(_ line: Substring, number: Int, currentMonth: Int) -> ListLine {
    let start = line.drop { $0 == " " || $0 == "\t" }
    guard start.first != "%" else { return ListLine() }
    let read = readListLine(line, number: number, currentMonth: currentMonth)
    guard read.identifiers.isEmpty else { return read }
    return read.invalid.contains { resemblesID($0.text) } ? read : ListLine()
  }

  /// Tells whether `text` contains `arxiv` in any case, four digits, a dot
  /// and a digit, or a slash and five digits.
  private static func resemblesID(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    if text.range(of: "arxiv", options: .caseInsensitive) != nil { return true }
    for index in bytes.indices {
      let digitsAfter = { (start: Int, count: Int) in
        start + count <= bytes.count
          && bytes[start..<start + count].allSatisfy(ArxivIdentifier.isDigit)
      }
      if bytes[index] == UInt8(ascii: "."), index >= 4, digitsAfter(index - 4, 4),
        digitsAfter(index + 1, 1)
      {
        return true
      }
      if bytes[index] == UInt8(ascii: "/"), digitsAfter(index + 1, 5) { return true }
    }
    return false
  }

  /// Returns the parts of `text` between separators.
  private static func splitParts(_ text: String) -> [Substring] {
    let utf8 = text.utf8
    // Most lines contain one ASCII id, which a split would only copy.
    if utf8.allSatisfy({ $0 < 0x80 }) {
      guard utf8.contains(where: isSeparator) else { return [Substring(text)] }
      return text.split { $0.asciiValue.map(isSeparator) ?? false }
    }
    return text.split { character in
      character.unicodeScalars.allSatisfy(isSeparator)
    }
  }

  /// Returns the index after the part in brackets that starts at
  /// `parts[start]`, such as `[cs.LG]`, or `[cs.LG` and `stat.ML]` for
  /// `[cs.LG, stat.ML]`, or nil when `parts[start]` starts none.
  private static func categoriesEnd(_ parts: [Substring], from start: Int) -> Int? {
    guard parts[start].hasPrefix("[") else { return nil }
    for index in start..<parts.count {
      let part = parts[index]
      if index > start, part.contains("[") || ArxivIdentifier.parse(String(part)) != nil {
        return nil
      }
      if part.hasSuffix("]") { return index + 1 }
    }
    return nil
  }

  /// Returns the id in `text`, or nil and the reason it is rejected, when
  /// the reason is more than "no accepted form".
  private static func readID(_ text: String, currentMonth: Int)
    -> (ArxivIdentifier?, ArxivIdentifier.Rejection?)
  {
    guard let identifier = ArxivIdentifier.parse(text) else {
      return (nil, ArxivIdentifier.formRejection(text))
    }
    if let rejection = identifier.futureMonthRejection(currentMonth: currentMonth) {
      return (nil, rejection)
    }
    return (identifier, nil)
  }

  /// Tells whether `parts` are a day, a month name and a year, such as
  /// `1 May 2025`, as the stamp `arXiv:2505.00733v1 [cs.LG] 1 May 2025` in
  /// the margin of arXiv's PDFs ends.
  ///
  /// The month is its full name, its three-letter abbreviation or `Sept`,
  /// each in any letter case and with an optional dot, such as `Sep.`.
  private static func isDay(_ parts: ArraySlice<Substring>) -> Bool {
    let isDigit = { (character: Character) in character.isASCII && character.isNumber }
    let (day, month, year) = (parts[parts.startIndex], parts[parts.startIndex + 1], parts.last)
    guard let year, year.count == 4, year.allSatisfy(isDigit),
      (1...2).contains(day.count), day.allSatisfy(isDigit)
    else { return false }
    let written = (month.hasSuffix(".") ? month.dropLast() : month).lowercased()
    guard let name = BibTeXReader.monthMacros[String(written.prefix(3))] else { return false }
    return written.count == 3 || written == name.lowercased() || written == "sept"
  }

  /// Returns `line` up to a `#` at its start or after a separator.
  private static func withoutComment(_ line: Substring) -> Substring {
    var previous: UInt8 = 0x20
    for index in line.utf8.indices {
      let byte = line.utf8[index]
      if byte == UInt8(ascii: "#"), followsSeparator(index, previous: previous, in: line) {
        return line[..<index]
      }
      previous = byte
    }
    return line
  }

  /// Tells whether the `#` at `index` of `line` follows a separator, where
  /// `previous` is the byte before it, or a space when it starts the line.
  private static func followsSeparator(
    _ index: String.Index, previous: UInt8, in line: Substring
  ) -> Bool {
    guard previous >= 0x80 else { return isSeparator(previous) }
    let scalars = line.unicodeScalars
    return isSeparator(scalars[scalars.index(before: index)])
  }

  /// Tells whether `byte` is a space or a tab, the ASCII members of `whitespaces`.
  private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

  /// Tells whether `byte` separates two ids on a line.
  private static func isSeparator(_ byte: UInt8) -> Bool {
    isBlank(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";")
  }

  /// Tells whether `scalar` separates two ids on a line: an ASCII separator,
  /// a Unicode space such as U+00A0 or U+2003, or a zero-width space, word
  /// joiner or byte order mark (U+200B, U+2060, U+FEFF).
  private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.isASCII { return isSeparator(UInt8(scalar.value)) }
    return scalar.properties.isWhitespace || [0x200B, 0x2060, 0xFEFF].contains(scalar.value)
  }
}
