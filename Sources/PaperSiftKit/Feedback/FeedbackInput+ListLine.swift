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
  /// A `#` at the start or after a space or tab starts a comment, so a
  /// URL's `#fragment` stays. Ids are separated by spaces, tabs, commas or
  /// semicolons. A part in brackets right after an id, such as the `[cs.LG]`
  /// of `arXiv:2505.00733 [cs.LG]` that arXiv's pages show, is skipped, and
  /// so is a day such as `1 May 2025` after it, as in arXiv's PDF stamp.
  /// When no part of the line is an id, the line is one invalid line, else
  /// each part that is no id is invalid on its own. A new-style id whose
  /// month is after `currentMonth` is invalid.
  static func readListLine(_ line: Substring, number: Int, currentMonth: Int) -> ListLine {
    let text = String(withoutComment(line).trimming(.whitespaces) { isBlank($0) })
    var result = ListLine()
    guard !text.isEmpty else { return result }
    // Most lines hold one id, which the split below would only copy.
    let parts =
      text.utf8.contains(where: isSeparator)
      ? text.split(whereSeparator: { $0.isASCII && isSeparator($0.asciiValue ?? 0) })
      : [Substring(text)]
    var invalidParts: [InvalidListLine] = []
    var followsID = false
    var index = 0
    while index < parts.count {
      let part = parts[index]
      index += 1
      if followsID, part.hasPrefix("["), part.hasSuffix("]") {
        followsID = false
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

  /// Returns the id in `text`, or nil and the reason it is rejected, when
  /// the reason is more than "no accepted form".
  private static func readID(_ text: String, currentMonth: Int)
    -> (ArxivIdentifier?, ArxivIdentifier.Rejection?)
  {
    guard let identifier = ArxivIdentifier.parse(text) else {
      return (nil, ArxivIdentifier.earlyMonthRejection(text))
    }
    if let rejection = identifier.futureMonthRejection(currentMonth: currentMonth) {
      return (nil, rejection)
    }
    return (identifier, nil)
  }

  /// Tells whether `parts` are a day, a month name and a year, such as
  /// `1 May 2025`, as the stamp `arXiv:2505.00733v1 [cs.LG] 1 May 2025` in
  /// the margin of arXiv's PDFs ends.
  private static func isDay(_ parts: ArraySlice<Substring>) -> Bool {
    let isDigit = { (character: Character) in character.isASCII && character.isNumber }
    let (day, month, year) = (parts[parts.startIndex], parts[parts.startIndex + 1], parts.last)
    guard let year, year.count == 4, year.allSatisfy(isDigit),
      (1...2).contains(day.count), day.allSatisfy(isDigit),
      let name = BibTeXReader.monthMacros[month.prefix(3).lowercased()]
    else { return false }
    return month.count == 3 || month.lowercased() == name.lowercased()
  }

  /// Returns `line` up to a `#` at its start or after a space or tab.
  private static func withoutComment(_ line: Substring) -> Substring {
    var previous: UInt8 = 0x20
    for index in line.utf8.indices {
      let byte = line.utf8[index]
      if byte == UInt8(ascii: "#"), isBlank(previous) { return line[..<index] }
      previous = byte
    }
    return line
  }

  /// Tells whether `byte` is a space or a tab, the ASCII members of `whitespaces`.
  private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

  /// Tells whether `byte` separates two ids on a line.
  private static func isSeparator(_ byte: UInt8) -> Bool {
    isBlank(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";")
  }
}
