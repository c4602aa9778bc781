import Foundation

/// An arXiv identifier split into its version-less id and optional version.
///
/// Accepts the forms a user copies from arXiv: `2501.19281`, `2501.19281v2`,
/// `arXiv:2501.19281`, `https://arxiv.org/abs/2501.19281v3`,
/// `https://arxiv.org/pdf/2501.19281v1` (with or without `.pdf`), and
/// old-style ids such as `hep-th/9901001` or `math.GT/0309136`. See
/// https://info.arxiv.org/help/arxiv_identifier.html for the schemes.
public struct ArxivIdentifier: Sendable, Hashable, CustomStringConvertible {
  /// The version-less id, the key PaperSift stores papers under.
  public let id: String
  public let version: Int?

  /// The forms shown when an id is rejected.
  public static let acceptedForms = """
    2501.19281, 2501.19281v2, arXiv:2501.19281, https://arxiv.org/abs/2501.19281v3, \
    https://arxiv.org/pdf/2501.19281v1 (.pdf optional), hep-th/9901001, math.GT/0309136
    """

  public init(id: String, version: Int?) {
    self.id = id
    self.version = version
  }

  /// Parses one of the accepted forms.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` that shows the
  ///   rejected text and the accepted forms.
  public init(parsing text: String) throws {
    guard let parsed = ArxivIdentifier.parse(text) else {
      throw PaperSiftError(
        .invalidInput,
        "Invalid arXiv id '\(text)'. Accepted forms: \(ArxivIdentifier.acceptedForms).")
    }
    self = parsed
  }

  public var description: String { version.map { "\(id)v\($0)" } ?? id }

  /// Returns the identifier in `text`, or nil when `text` is in no accepted form.
  public static func parse(_ text: String) -> ArxivIdentifier? {
    var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
    for prefix in ["https://", "http://"] where rest.lowercased().hasPrefix(prefix) {
      rest = rest.dropFirst(prefix.count)
      for host in ["www.arxiv.org/", "arxiv.org/", "export.arxiv.org/"]
      where rest.lowercased().hasPrefix(host) {
        rest = rest.dropFirst(host.count)
        break
      }
      guard let slash = rest.firstIndex(of: "/") else { return nil }
      let kind = rest[..<slash]
      guard kind == "abs" || kind == "pdf" else { return nil }
      rest = rest[rest.index(after: slash)...]
      if kind == "pdf", rest.hasSuffix(".pdf") { rest = rest.dropLast(4) }
      return parseBare(rest)
    }
    if rest.lowercased().hasPrefix("arxiv:") { rest = rest.dropFirst(6) }
    return parseBare(rest)
  }

  private static func parseBare(_ text: Substring) -> ArxivIdentifier? {
    let candidate = String(text)
    let modernPattern = /^(\d{4}\.\d{4,5})(?:v(\d+))?$/
    let oldPattern = /^([a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?\/\d{7})(?:v(\d+))?$/
    if let match = candidate.wholeMatch(of: modernPattern) {
      let yearMonth = Int(match.1.prefix(4)) ?? 0
      // The scheme started in April 2007 (0704).
      guard (1...12).contains(yearMonth % 100), yearMonth >= 704 else { return nil }
      // Ids from 2015-01 (1501) on have a five-digit number, older ones four.
      let digits = match.1.count - 5
      guard digits == (yearMonth >= 1501 ? 5 : 4) else { return nil }
      return make(String(match.1), match.2)
    }
    if let match = candidate.wholeMatch(of: oldPattern) {
      return make(String(match.1), match.2)
    }
    return nil
  }

  private static func make(_ id: String, _ version: Substring?) -> ArxivIdentifier? {
    guard let version else { return ArxivIdentifier(id: id, version: nil) }
    guard let number = Int(version), number >= 1 else { return nil }
    return ArxivIdentifier(id: id, version: number)
  }
}
