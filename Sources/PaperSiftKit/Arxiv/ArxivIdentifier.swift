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
    // archive[.XX]/YYMMNNN with an optional version, e.g. math.GT/0309136v2.
    let oldPattern =
      #/
      (?<id>
        (?<archive> [a-z]+ (?: -[a-z]+ )? ) (?<subjectClass> \.[A-Z]{2} )?
        / (?<month> \d{4} ) (?<number> \d{3} )
      )
      (?: v (?<version> \d+ ) )?
      /#
    if let match = candidate.wholeMatch(of: modernPattern) {
      let yearMonth = Int(match.1.prefix(4)) ?? 0
      // The scheme started in April 2007 (0704).
      guard (1...12).contains(yearMonth % 100), yearMonth >= 704 else { return nil }
      // Ids from 2015-01 (1501) on have a five-digit number, older ones four.
      let number = match.1.dropFirst(5)
      guard number.count == (yearMonth >= 1501 ? 5 : 4) else { return nil }
      // Numbers start at 0001 (00001 from 1501 on).
      guard number.contains(where: { $0 != "0" }) else { return nil }
      return make(String(match.1), match.2)
    }
    if let match = candidate.wholeMatch(of: oldPattern) {
      guard isOldStyle(archive: match.archive, subjectClass: match.subjectClass != nil),
        isOldStyleMonth(match.month), match.number != "000"
      else { return nil }
      return make(String(match.id), match.version)
    }
    return nil
  }

  /// The archives that took submissions before the April 2007 change of
  /// scheme, so the only ones that occur in old-style ids. Source: the
  /// archives with a start date before 2007-04 in `ARCHIVES` of
  /// arxiv/taxonomy/definitions.py in github.com/arXiv/arxiv-base, less
  /// `test` (q-fin started in 2008-12 and stat in 2007-04, so neither is here).
  static let oldStyleArchives: Set<Substring> = [
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an",
    "chao-dyn", "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an",
    "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin",
    "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph",
    "solv-int", "supr-con",
  ]

  /// The archives whose old-style ids may carry a two-letter subject class,
  /// as in math.GT/0309136. arXiv's identifier help page states that the
  /// physics archives have none in the id, because cond-mat and physics keep
  /// their subject classes in the metadata only.
  static let archivesWithSubjectClass: Set<Substring> = ["math", "cs", "nlin", "q-bio"]

  private static func isOldStyle(archive: Substring, subjectClass: Bool) -> Bool {
    guard oldStyleArchives.contains(archive) else { return false }
    return !subjectClass || archivesWithSubjectClass.contains(archive)
  }

  /// Checks that `yearMonth` (YYMM) is a month from 9107 to 0703, the span
  /// of the old scheme according to arXiv's identifier help page.
  private static func isOldStyleMonth(_ yearMonth: Substring) -> Bool {
    guard let value = Int(yearMonth), (1...12).contains(value % 100) else { return false }
    let year = value / 100
    return year >= 91 ? value >= 9107 : value <= 703
  }

  private static func make(_ id: String, _ version: Substring?) -> ArxivIdentifier? {
    guard let version else { return ArxivIdentifier(id: id, version: nil) }
    guard let number = Int(version), number >= 1 else { return nil }
    return ArxivIdentifier(id: id, version: number)
  }
}
