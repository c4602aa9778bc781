import Foundation

/// The start of a response body as an error message quotes it: one line of
/// visible text, cut between two words.
///
/// An HTML or XML body, such as the error page of a web server or proxy,
/// is quoted by its text. Comments, `script`, `style` and `head` elements
/// and tags are removed, and the common character references are decoded.
enum ResponseExcerpt {
  /// The maximum characters quoted, before the "…" of a cut.
  static let maxCharacters = 300
  /// The bytes of a body read for an excerpt. A page's text can follow
  /// several kilobytes of markup, and the rest is never quoted.
  static let maxBytesRead = 64 * 1024

  /// Quotes the start of `body` for an error message.
  ///
  /// - Parameters:
  ///   - body: The response body, read as UTF-8.
  ///   - contentType: The `Content-Type` header, if any. A type naming
  ///     HTML marks the body as HTML, and so does a body that starts with `<`.
  ///   - maxCharacters: The most characters quoted, before the "…" of a cut.
  /// - Returns: The body's visible text on one line, at most `maxCharacters`
  ///   characters and a "…".
  static func text(
    of body: Data, contentType: String? = nil, maxCharacters: Int = maxCharacters
  ) -> String {
    var text = String(decoding: body.prefix(maxBytesRead), as: UTF8.self)
    let isMarkup =
      contentType?.lowercased().contains("html") == true
      || text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.hasPrefix("<")
    if isMarkup { text = markupText(text) }
    return VisibleText.singleLine(text).clipped(atWordBoundary: maxCharacters)
  }

  /// Returns the text of an HTML or XML document, without markup.
  ///
  /// The `head` element is dropped only when the rest has text, so that a
  /// page whose only text is its `title` still yields that text.
  static func markupText(_ markup: String) -> String {
    var text = markup.replacing(/<!--.*?-->/.dotMatchesNewlines(), with: " ")
    for element in ["script", "style"] {
      text = removingElement(element, from: text)
    }
    let withoutHead = removingElement("head", from: text)
    if !withoutTags(withoutHead).allSatisfy(\.isWhitespace) { text = withoutHead }
    return decodingReferences(withoutTags(text))
  }

  private static func removingElement(_ name: String, from text: String) -> String {
    guard
      let element = try? Regex("<\(name)\\b.*?</\(name)\\s*>")
        .ignoresCase().dotMatchesNewlines()
    else { return text }
    return text.replacing(element, with: " ")
  }

  private static func withoutTags(_ text: String) -> String {
    text.replacing(/<[^>]*>/, with: " ")
  }

  /// Decodes the named references of the characters that markup escapes,
  /// `&nbsp;`, and decimal and hexadecimal references such as `&#8211;`.
  static func decodingReferences(_ text: String) -> String {
    let named: [Substring: String] = [
      "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ",
    ]
    return text.replacing(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/) { match in
      let name = match.output.1
      var scalar: Unicode.Scalar?
      if name.hasPrefix("#x") || name.hasPrefix("#X") {
        scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
      } else if name.hasPrefix("#") {
        scalar = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init)
      }
      if let scalar { return String(scalar) }
      return named[name] ?? String(match.output.0)
    }
  }
}
