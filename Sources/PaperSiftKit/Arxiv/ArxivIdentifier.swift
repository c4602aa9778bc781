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
    https://arxiv.org/pdf/2501.19281v1 (.pdf optional), https://doi.org/10.48550/arXiv.2501.19281, \
    hep-th/9901001, math.GT/0309136
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
        "Invalid arXiv id '\(Self.shown(text))'. Accepted forms: \(ArxivIdentifier.acceptedForms).")
    }
    self = parsed
  }

  /// Returns `text` for an error message, cut to 200 characters, so that a
  /// long line of a file does not fill the terminal.
  static func shown(_ text: String) -> String {
    text.count > 200 ? text.prefix(200) + "… (\(text.count) characters)" : text
  }

  /// Parses one of the accepted forms, like ``init(parsing:)``, and also
  /// rejects a new-style id whose month is in the future at `now`.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput`. For an id in the
  ///   future, the message shows the rejected text and the id's month.
  public init(parsing text: String, now: Date) throws {
    try self.init(parsing: text)
    if let reason = futureMonthReason(now: now) {
      throw PaperSiftError(
        .invalidInput,
        "Invalid arXiv id '\(Self.shown(text))' because \(reason). Check the id, and the system clock "
          + "if the id is right.")
    }
  }

  public var description: String { version.map { "\(id)v\($0)" } ?? id }

  /// The year and month of a new-style id, such as 2025 and 1 for
  /// 2501.19281, or nil for an old-style id.
  var newStyleMonth: (year: Int, month: Int)? {
    guard !id.contains("/"), let yearMonth = Int(id.prefix(4)) else { return nil }
    // Valid new-style years are 07-99, so 2007-2099.
    return (2000 + yearMonth / 100, yearMonth % 100)
  }

  /// Returns why the id's month is in the future at `now`, such as "its
  /// month 2027-02 is in the future", or nil when it is not.
  ///
  /// The YYMM of a new-style id is a month that has begun, so a later month
  /// is a typo. The month after the current UTC month is still accepted, as
  /// a margin for time zones and slightly wrong clocks at a month's turn.
  /// Old-style ids end in 2007-03, so this returns nil for them.
  public func futureMonthReason(now: Date) -> String? {
    guard let (year, month) = newStyleMonth else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .gmt
    let current = calendar.dateComponents([.year, .month], from: now)
    // Months counted from year 0, so that December to January is one step.
    let currentMonths = (current.year ?? 0) * 12 + (current.month ?? 1) - 1
    let idMonths = year * 12 + month - 1
    guard idMonths > currentMonths + 1 else { return nil }
    return String(format: "its month %04d-%02d is in the future", year, month)
  }

  /// Returns the identifier in `text`, or nil when `text` is in no accepted form.
  public static func parse(_ text: String) -> ArxivIdentifier? {
    var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
    // Ids and arXiv URLs are ASCII, so this also rejects other scripts' digits.
    guard rest.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
    var isURL = false
    for prefix in ["https://", "http://"] where rest.lowercased().hasPrefix(prefix) {
      rest = rest.dropFirst(prefix.count)
      isURL = true
      break
    }
    let lowered = rest.lowercased()
    let doi = "doi.org/10.48550/arxiv."
    if lowered.hasPrefix(doi) { return parseBare(rest.dropFirst(doi.count)) }
    let hosts = ["www.arxiv.org/", "arxiv.org/", "export.arxiv.org/"]
    guard let host = hosts.first(where: { lowered.hasPrefix($0) }) else {
      guard !isURL else { return nil }
      if lowered.hasPrefix("arxiv:") { rest = rest.dropFirst(6) }
      return parseBare(rest)
    }
    rest = rest.dropFirst(host.count)
    // A query (?context=cs.LG), a fragment (#comments) or a trailing slash
    // does not change the paper.
    if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
    if rest.hasSuffix("/") { rest = rest.dropLast() }
    guard let slash = rest.firstIndex(of: "/") else { return nil }
    let kind = rest[..<slash]
    guard ["abs", "pdf", "html"].contains(kind) else { return nil }
    rest = rest[rest.index(after: slash)...]
    if kind == "pdf", rest.hasSuffix(".pdf") { rest = rest.dropLast(4) }
    return parseBare(rest)
  }

  private static func parseBare(_ text: Substring) -> ArxivIdentifier? {
    let candidate = String(text)
    let modernPattern = /^([0-9]{4}\.[0-9]{4,5})(?:v([0-9]+))?$/
    // archive[.XX]/YYMMNNN with an optional version, e.g. math.GT/0309136v2.
    let oldPattern =
      #/
      (?<id>
        (?<archive> [a-z]+ (?: -[a-z]+ )? ) (?<subjectClass> \.[A-Z]{2} )?
        / (?<month> [0-9]{4} ) (?<number> [0-9]{3} )
      )
      (?: v (?<version> [0-9]+ ) )?
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
  ///
  /// NOTE: The month is not checked against the archive's start. The start
  /// dates in `ARCHIVES` of arxiv-base's taxonomy are no lower bound for
  /// ids, because they give hep-lat 1992-02 while arXiv's media-types help
  /// page links hep-lat/9107001.
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
