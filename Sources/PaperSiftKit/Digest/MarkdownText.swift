import Foundation

/// Text helpers for the Markdown digest: escaping outside TeX and
/// locale-independent number formats.
enum MarkdownText {
  /// Escapes what Markdown would read as markup, outside TeX spans.
  ///
  /// `[`, `]` and `<` are escaped, so a title can be the text of a link and a
  /// name in angle brackets is not read as an HTML tag. Every backtick is
  /// escaped, because it could open a code span, and so is each `*` and `_`
  /// that could open or close emphasis and each `~` that could open or close
  /// a strikethrough. github.com reads one or two tildes as one, with the
  /// flanking rules of emphasis.
  ///
  /// A TeX span runs from one `$` to the next, and its text is kept as
  /// written, because GitHub renders it as math.
  /// NOTE: a lone `$` (a price in a title) makes the rest of the text count as
  /// TeX, so markup after it stays unescaped.
  static func escaped(_ text: String) -> String {
    let characters = Array(text)
    var result = ""
    var inTeX = false
    for (index, character) in characters.enumerated() {
      let previous = index > 0 ? characters[index - 1] : nil
      let next = index + 1 < characters.count ? characters[index + 1] : nil
      if character == "$" && previous != "\\" {
        inTeX.toggle()
      } else if !inTeX && previous != "\\"
        && isMarkup(character, previous: previous, next: next)
      {
        result.append("\\")
      }
      result.append(character)
    }
    return result
  }

  /// Returns whether `character` could format the text around it, given the
  /// characters before and after it, which are nil at the ends of the text.
  ///
  /// A `*`, `_` or `~` with white space on both sides neither opens nor
  /// closes emphasis or strikethrough, and neither does a `_` between two letters or digits, as in
  /// `snake_case`. Those stay as written. The flanking rules are in
  /// CommonMark 0.31.2, "Emphasis and strong emphasis"
  /// (https://spec.commonmark.org/0.31.2/).
  private static func isMarkup(_ character: Character, previous: Character?, next: Character?)
    -> Bool
  {
    switch character {
    case "[", "]", "<", "`":
      return true
    case "*", "_", "~":
      if previous?.isWhitespace ?? true, next?.isWhitespace ?? true { return false }
      let isInWord = character == "_" && isWordCharacter(previous) && isWordCharacter(next)
      return !isInWord
    default:
      return false
    }
  }

  private static func isWordCharacter(_ character: Character?) -> Bool {
    character?.isLetter == true || character?.isNumber == true
  }

  /// Returns `text` on one line and escaped, ready for a Markdown line.
  static func inline(_ text: String) -> String {
    escaped(VisibleText.singleLine(text))
  }

  /// Returns `text` as ``inline(_:)`` does, cut between two words after at
  /// most `maxCharacters` characters and followed by "…" and `note` when it
  /// is longer.
  static func inline(_ text: String, maxCharacters: Int, note: String) -> String {
    let line = VisibleText.singleLine(text)
    let clipped = line.clipped(atWordBoundary: maxCharacters)
    guard clipped != line else { return escaped(line) }
    return escaped(clipped) + " " + note
  }

  /// Returns a title as ``inline(_:)`` does, or `(no title)` for an empty
  /// one, so that a link to the paper keeps visible text.
  static func title(_ title: String) -> String {
    let text = inline(title)
    return text.isEmpty ? "(no title)" : text
  }

  /// Formats dollars with four decimals, as ``Dollars/text(_:)`` does, so
  /// that the cost of a cheap night keeps its digits and every amount of the
  /// digest has the same form.
  static func dollars(_ value: Double) -> String {
    Dollars.text(value)
  }

  /// Formats a share from 0 to 1 as a percentage with one decimal.
  static func percent(_ share: Double) -> String {
    String(format: "%.1f%%", share * 100)
  }

  /// Formats a confidence level such as 0.95 as `95%`, with one decimal only
  /// when the level needs it.
  static func level(_ share: Double) -> String {
    let percent = share * 100
    let rounded = percent.rounded()
    return abs(percent - rounded) < 1e-9
      ? String(format: "%.0f%%", rounded) : String(format: "%.1f%%", percent)
  }

  static func decimal(_ value: Double, places: Int) -> String {
    String(format: "%.\(places)f", value)
  }

  /// Returns `count` and the noun, plural unless the count is 1.
  static func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
  }
}
