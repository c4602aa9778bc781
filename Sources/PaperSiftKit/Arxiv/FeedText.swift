import Foundation

/// Text clean-up shared by the RSS, Atom and JSON Lines readers.
///
/// Titles and abstracts arrive with hard line breaks (Atom and JSON Lines
/// wrap at about 80 columns) and sometimes with HTML entities left encoded.
/// The cleaned text is the same whatever the source, so that embeddings and
/// stored rows do not depend on the format a day came in. TeX is kept as is.
public enum FeedText {
  /// Decodes HTML entities, then turns every run of whitespace, line breaks
  /// included, into one space and trims both ends.
  public static func clean(_ text: String) -> String {
    collapseWhitespace(decodeEntities(text))
  }

  /// Replaces runs of whitespace with one space and trims both ends.
  public static func collapseWhitespace(_ text: String) -> String {
    text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }

  /// Decodes numeric entities (`&#177;`, `&#xB1;`) and the named entities of
  /// ``namedEntities``; anything else that looks like an entity, such as
  /// `Q&A;`, is left unchanged.
  public static func decodeEntities(_ text: String) -> String {
    guard text.contains("&") else { return text }
    var result = ""
    result.reserveCapacity(text.count)
    var rest = Substring(text)
    while let ampersand = rest.firstIndex(of: "&") {
      result += rest[..<ampersand]
      rest = rest[ampersand...]
      if let (decoded, length) = decodeEntity(at: rest) {
        result += decoded
        rest = rest.dropFirst(length)
      } else {
        result += "&"
        rest = rest.dropFirst()
      }
    }
    result += rest
    return result
  }

  /// The named HTML entities that occur in arXiv metadata.
  static let namedEntities: [String: String] = [
    "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
    "ndash": "\u{2013}", "mdash": "\u{2014}", "hellip": "\u{2026}", "plusmn": "\u{00B1}",
    "times": "\u{00D7}", "deg": "\u{00B0}", "micro": "\u{00B5}", "middot": "\u{00B7}",
    "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}", "rdquo": "\u{201D}",
  ]

  /// Returns the character for the entity that starts `text` and the number
  /// of characters it spans, or nil when `text` does not start with one.
  private static func decodeEntity(at text: Substring) -> (String, Int)? {
    guard let semicolon = text.prefix(12).firstIndex(of: ";") else { return nil }
    let body = text[text.index(after: text.startIndex)..<semicolon]
    let length = body.count + 2
    if body.hasPrefix("#x") || body.hasPrefix("#X") {
      return UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map {
        (String(Character($0)), length)
      }
    }
    if body.hasPrefix("#") {
      return UInt32(body.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init).map {
        (String(Character($0)), length)
      }
    }
    return namedEntities[String(body)].map { ($0, length) }
  }

  /// Name suffixes that follow a comma but belong to the name before it.
  static let nameSuffixes: Set<String> = ["jr", "jr.", "sr", "sr.", "ii", "iii", "iv"]

  /// Splits an author list such as `A. Smith, B. Jones and C. Lee` into names.
  ///
  /// Separators are commas and the word `and`. A suffix after a comma, as in
  /// `John Smith, Jr.`, stays with its name.
  public static func splitAuthors(_ text: String) -> [String] {
    let cleaned = clean(text)
    guard !cleaned.isEmpty else { return [] }
    var names: [String] = []
    for part in cleaned.split(separator: ",") {
      let piece = part.trimmingCharacters(in: .whitespaces)
      if nameSuffixes.contains(piece.lowercased()), let last = names.popLast() {
        names.append(last + ", " + piece)
        continue
      }
      for name in piece.split(separator: /\s+and\s+|^and\s+/) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty { names.append(trimmed) }
      }
    }
    return names
  }

  /// Returns the `YYYY-MM-DD` day of an RFC 822 date such as
  /// `Mon, 05 May 2025 00:00:00 -0400`, in the date's own time zone.
  ///
  /// The day is read from the text, not converted to UTC, because arXiv
  /// stamps a listing with midnight Eastern time of its announcement day.
  public static func day(fromRFC822 text: String) -> String? {
    let months = [
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    let pattern = /(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\s+(\d{4})/
    guard let match = text.firstMatch(of: pattern),
      let day = Int(match.1), (1...31).contains(day),
      let month = months.firstIndex(of: match.2.lowercased())
    else { return nil }
    return String(format: "%@-%02d-%02d", String(match.3), month + 1, day)
  }

  /// Returns whether `text` is a calendar day written `YYYY-MM-DD`.
  public static func isDay(_ text: String) -> Bool {
    guard let match = text.wholeMatch(of: /(\d{4})-(\d{2})-(\d{2})/) else { return false }
    let calendar = Calendar(identifier: .gregorian)
    let components = DateComponents(
      calendar: calendar, year: Int(match.1), month: Int(match.2), day: Int(match.3))
    return components.isValidDate(in: calendar)
  }
}
