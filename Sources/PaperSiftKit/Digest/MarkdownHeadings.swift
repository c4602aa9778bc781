import Foundation

/// Moves the headings of a Markdown text one level down, so that the text
/// nests under a heading of the digest.
///
/// The block rules followed are those of CommonMark 0.31.2
/// (https://spec.commonmark.org/0.31.2/). An ATX heading is up to three
/// spaces of indentation, one to six `#` and then a space, a tab or the end
/// of the line. A setext heading is paragraph text over a line of `=`
/// (level 1) or of `-` (level 2).
enum MarkdownHeadings {
  /// The kind of the latest non-blank block, which decides whether a line
  /// of `=` underlines a heading.
  private enum Block {
    case blank
    case paragraph
    case listItem
    case other
  }

  /// Returns `text` with each ATX heading one level deeper, up to level 6,
  /// and each setext heading of level 1 turned into one of level 2.
  ///
  /// Lines inside fenced code blocks stay as they are.
  /// NOTE: Blockquotes are not followed: a heading after `>` keeps its level.
  static func demoted(_ text: String) -> String {
    var lines = text.components(separatedBy: "\n")
    var fence: (marker: Character, length: Int)?
    var previous = Block.blank
    var listContinues = false
    for index in lines.indices {
      let line = lines[index]
      let indent = line.prefix { $0 == " " }.count
      let body = line.dropFirst(indent)
      if let open = fence {
        if indent <= 3, closesFence(body, marker: open.marker, length: open.length) {
          fence = nil
        }
        continue
      }
      if isBlank(body) {
        listContinues = previous == .listItem || (listContinues && previous == .blank)
        previous = .blank
        continue
      }
      // Indented lines after a list item and a blank line stay in the item.
      let inList = previous == .listItem || (listContinues && indent >= 2)
      if indent <= 3, let opening = fenceOpening(body) {
        fence = opening
        previous = .other
      } else if indent <= 3, let level = atxLevel(body) {
        if level < 6 { lines[index] = String(line.prefix(indent)) + "#" + body }
        previous = .other
      } else if indent <= 3, previous == .paragraph, isUnderline(body, of: "=") {
        lines[index] = String(line.prefix(indent)) + body.map { $0 == "=" ? "-" : $0 }
        previous = .other
      } else if indent <= 3, previous == .paragraph, isUnderline(body, of: "-") {
        // A setext heading of level 2 already nests under the digest's heading.
        previous = .other
      } else if indent <= 3, isThematicBreak(body) {
        previous = .other
      } else if indent <= 3, isListItem(body) {
        previous = .listItem
      } else if inList {
        previous = .listItem
      } else if indent >= 4, previous != .paragraph {
        previous = .other
      } else {
        previous = .paragraph
      }
      if previous != .listItem { listContinues = false }
    }
    return lines.joined(separator: "\n")
  }

  /// Returns the level of an ATX heading line without its indentation, or nil.
  static func atxLevel(_ body: Substring) -> Int? {
    let marks = body.prefix { $0 == "#" }.count
    guard (1...6).contains(marks) else { return nil }
    let rest = body.dropFirst(marks)
    return rest.isEmpty || rest.first?.isWhitespace == true ? marks : nil
  }

  private static func isBlank(_ body: Substring) -> Bool {
    body.allSatisfy(\.isWhitespace)
  }

  /// Returns whether `body` is only `mark` characters, with white space after them.
  private static func isUnderline(_ body: Substring, of mark: Character) -> Bool {
    let marks = body.prefix { $0 == mark }
    return !marks.isEmpty && body.dropFirst(marks.count).allSatisfy(\.isWhitespace)
  }

  /// Returns whether `body` is three or more `-`, `*` or `_` of one kind,
  /// with optional spaces or tabs between them.
  private static func isThematicBreak(_ body: Substring) -> Bool {
    let marks = body.filter { !$0.isWhitespace }
    guard let mark = marks.first, "-*_".contains(mark) else { return false }
    return marks.count >= 3 && marks.allSatisfy { $0 == mark }
  }

  /// Returns whether `body` starts a bullet (`-`, `*`, `+`) or ordered
  /// (`1.`, `1)`) list item.
  private static func isListItem(_ body: Substring) -> Bool {
    let digits = body.prefix(while: \.isASCIIDigit).count
    let marker: Substring
    if (1...9).contains(digits), let next = body.dropFirst(digits).first, next == "." || next == ")"
    {
      marker = body.prefix(digits + 1)
    } else if let first = body.first, "-*+".contains(first) {
      marker = body.prefix(1)
    } else {
      return false
    }
    let rest = body.dropFirst(marker.count)
    return rest.isEmpty || rest.first == " " || rest.first == "\t"
  }

  /// Returns the marker and length of a line that opens a fenced code block.
  private static func fenceOpening(_ body: Substring) -> (marker: Character, length: Int)? {
    guard let marker = body.first, marker == "`" || marker == "~" else { return nil }
    let length = body.prefix { $0 == marker }.count
    guard length >= 3 else { return nil }
    // A backtick fence's info string may not contain a backtick.
    if marker == "`", body.dropFirst(length).contains("`") { return nil }
    return (marker, length)
  }

  private static func closesFence(_ body: Substring, marker: Character, length: Int) -> Bool {
    let marks = body.prefix { $0 == marker }.count
    return marks >= length && body.dropFirst(marks).allSatisfy(\.isWhitespace)
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
