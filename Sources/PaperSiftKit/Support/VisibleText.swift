import Foundation

/// Feed text made safe to show on one line, in a digest or a terminal.
///
/// A title from a feed can carry characters that change how the text around
/// them displays without showing themselves. Bidirectional controls reverse
/// a run of text, zero-width characters hide inside words, and control
/// characters such as ESC start terminal escape sequences.
public enum VisibleText {
  /// Returns `text` with every run of white space, line breaks included,
  /// replaced by one space, no space at either end, and no invisible
  /// characters (see ``isInvisible(_:)``).
  public static func singleLine(_ text: String) -> String {
    let visible = String(
      String.UnicodeScalarView(text.unicodeScalars.filter { !isInvisible($0) }))
    return visible.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  /// Returns whether `scalar` is removed by ``singleLine(_:)``.
  ///
  /// Removed are the bidirectional controls (U+202A to U+202E, U+2066 to
  /// U+2069), which a feed could use to make a title or link display as
  /// something else. So are the zero-width space, word joiner and byte order
  /// mark (U+200B, U+2060, U+FEFF), and the C0 and C1 control characters
  /// other than white space. The zero-width joiner and non-joiner (U+200D,
  /// U+200C) are kept, because emoji and some scripts need them.
  public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x202A...0x202E, 0x2066...0x2069: true
    case 0x200B, 0x2060, 0xFEFF: true
    case 0x00...0x1F, 0x7F...0x9F: !scalar.properties.isWhitespace
    default: false
    }
  }
}
