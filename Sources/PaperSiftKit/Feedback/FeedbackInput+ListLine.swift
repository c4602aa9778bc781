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
  /// of `arXiv:2505.00733 [cs.LG]` that arXiv's pages show, is skipped.
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
    for part in parts {
      if followsID, part.hasPrefix("["), part.hasSuffix("]") {
        followsID = false
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
