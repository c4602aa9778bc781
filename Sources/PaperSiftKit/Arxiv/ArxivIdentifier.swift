import Foundation

/// An arXiv identifier split into its version-less id and optional version.
///
/// Accepts the forms a user copies from arXiv: `2501.19281`, `2501.19281v2`,
/// `arXiv:2501.19281`, `https://arxiv.org/abs/2501.19281v3`,
/// `https://arxiv.org/pdf/2501.19281v1` (with or without `.pdf`), and
/// old-style ids such as `hep-th/9901001` or `math.GT/0309136` (stored as
/// `math/0309136`, the id arXiv gives such a paper). See
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
  ///   rejected text and the accepted forms, or for a new-style id before
  ///   0704, the old-style form.
  public init(parsing text: String) throws {
    guard let parsed = ArxivIdentifier.parse(text) else {
      throw PaperSiftError(.invalidInput, Self.invalidMessage(text))
    }
    self = parsed
  }

  /// Returns the message on `text` that ``parse(_:)`` rejects, with
  /// `place` after the quoted text, such as " on line 2 of 'ids.txt'".
  static func invalidMessage(_ text: String, place: String = "") -> String {
    if let rejection = earlyMonthRejection(text) {
      return rejection.message(for: text, place: place)
    }
    let reason = numberLengthRejection(text).map { " because \($0.reason)" } ?? ""
    let advice = hasHiddenCharacters(text) ? " \(hiddenCharacterAdvice)" : ""
    return "Invalid arXiv id '\(shown(text))'\(place)\(reason). Accepted forms: "
      + "\(acceptedForms).\(advice)"
  }

  /// Returns `text` for an error message, cut to 200 characters, so that a
  /// long line of a file does not fill the terminal. A character that
  /// ``isHidden(_:)`` matches is shown as its code point, such as `<U+00A0>`.
  static func shown(_ text: String) -> String {
    let clipped = text.count > 200 ? text.prefix(200) + "… (\(text.count) characters)" : text
    guard hasHiddenCharacters(clipped) else { return clipped }
    var result = ""
    for scalar in clipped.unicodeScalars {
      if isHidden(scalar) {
        result += String(format: "<U+%04X>", scalar.value)
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// The sentence that explains the `<U+00A0>` marks of ``shown(_:)``.
  static let hiddenCharacterAdvice =
    "A mark such as <U+00A0> stands for a character that does not show or looks like a space. "
    + "Replace it with a space or delete it."

  /// Tells whether `text` contains a character that ``isHidden(_:)`` matches.
  static func hasHiddenCharacters(_ text: String) -> Bool {
    // Printable ASCII, the common case, has none.
    guard !text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return false }
    return text.unicodeScalars.contains(where: isHidden)
  }

  /// Tells whether `scalar` is white space other than the ASCII space and
  /// tab (such as U+00A0 or U+2003), a format character (such as the
  /// zero-width space U+200B) or a control character. An error message
  /// would show such a character as a space or not at all.
  static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
    guard scalar != " ", scalar != "\t" else { return false }
    let properties = scalar.properties
    return properties.isWhitespace || properties.generalCategory == .format
      || properties.generalCategory == .control
  }

  /// Parses one of the accepted forms, like ``init(parsing:)``, and also
  /// rejects a new-style id whose month is in the future at `now`.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput`. For an id in the
  ///   future, the message shows the rejected text and the id's month.
  public init(parsing text: String, now: Date) throws {
    try self.init(parsing: text)
    if let rejection = futureMonthRejection(currentMonth: Self.monthNumber(of: now)) {
      throw PaperSiftError(.invalidInput, rejection.message(for: text))
    }
  }

  public var description: String { version.map { "\(id)v\($0)" } ?? id }

  /// Returns the identifier in `text`, or nil when `text` is in no accepted form.
  ///
  /// Reads `text` byte by byte without a regular expression, because
  /// `like --from` parses every line of files of a million ids with it.
  public static func parse(_ text: String) -> ArxivIdentifier? {
    // Ids and arXiv URLs are ASCII, so this also rejects other scripts' digits.
    guard var rest = trimmedASCII(text) else { return nil }
    var isURL = false
    for prefix in schemes where hasPrefixIgnoringCase(rest, prefix) {
      rest = rest.dropFirst(prefix.count)
      isURL = true
      break
    }
    let doi = "doi.org/10.48550/arxiv."
    if hasPrefixIgnoringCase(rest, doi) { return parseBare(rest.dropFirst(doi.count)) }
    guard let host = hosts.first(where: { hasPrefixIgnoringCase(rest, $0) }) else {
      guard !isURL else { return nil }
      if hasPrefixIgnoringCase(rest, "arxiv:") { rest = rest.dropFirst(6) }
      return parseBare(rest)
    }
    rest = rest.dropFirst(host.count)
    // A query (?context=cs.LG), a fragment (#comments) or a trailing slash
    // does not change the paper.
    if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
    if rest.hasSuffix("/") { rest = rest.dropLast() }
    guard let slash = rest.firstIndex(of: "/") else { return nil }
    let kind = rest[..<slash]
    guard pageKinds.contains(kind) else { return nil }
    rest = rest[rest.index(after: slash)...]
    if kind == "pdf", rest.hasSuffix(".pdf") { rest = rest.dropLast(4) }
    return parseBare(rest)
  }

  // Constants, so that `parse` allocates no array per call.
  private static let schemes = ["https://", "http://"]
  private static let hosts = ["www.arxiv.org/", "arxiv.org/", "export.arxiv.org/"]
  private static let pageKinds: [Substring] = ["abs", "pdf", "html"]

  /// Returns `text` without leading and trailing white space and newlines,
  /// or nil when what remains is not ASCII.
  private static func trimmedASCII(_ text: String) -> Substring? {
    // The ASCII members of `whitespacesAndNewlines`: tab to carriage return, and space.
    let trimmed = text[...].trimming(.whitespacesAndNewlines) { byte in
      byte == 0x20 || (0x09...0x0D).contains(byte)
    }
    return trimmed.utf8.allSatisfy({ $0 < 0x80 }) ? trimmed : nil
  }

  /// Tells whether `text` starts with `prefix`, which is lowercase ASCII, in any letter case.
  private static func hasPrefixIgnoringCase(_ text: Substring, _ prefix: String) -> Bool {
    guard text.utf8.count >= prefix.utf8.count else { return false }
    return zip(text.utf8, prefix.utf8).allSatisfy { byte, expected in
      let isUpper = (0x41...0x5A).contains(byte)
      return (isUpper ? byte + 0x20 : byte) == expected
    }
  }

  /// Parses a bare id, `YYMM.NNNNN` or `archive[.XX]/YYMMNNN`, each with an
  /// optional version `vN`.
  private static func parseBare(_ text: Substring) -> ArxivIdentifier? {
    let bytes = Array(text.utf8)
    guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else {
      return parseNewStyle(bytes)
    }
    return parseOldStyle(bytes, slash: slash)
  }

  /// Parses `YYMM.NNNN` (until 2014) or `YYMM.NNNNN` (from 2015 on) with an
  /// optional `vN`.
  private static func parseNewStyle(_ bytes: [UInt8]) -> ArxivIdentifier? {
    guard bytes.count >= 9, bytes[..<4].allSatisfy(isDigit), bytes[4] == UInt8(ascii: ".")
    else { return nil }
    let yearMonth = bytes[..<4].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    // The scheme started in April 2007 (0704).
    guard (1...12).contains(yearMonth % 100), yearMonth >= 704 else { return nil }
    // Ids from 2015-01 (1501) on have a five-digit number, older ones four.
    let number = bytes[5...].prefix(while: isDigit)
    guard number.count == (yearMonth >= 1501 ? 5 : 4) else { return nil }
    // Numbers start at 0001 (00001 from 1501 on).
    guard number.contains(where: { $0 != UInt8(ascii: "0") }) else { return nil }
    return make(bytes[..<number.endIndex], versionSuffix: bytes[number.endIndex...])
  }

  /// Parses `archive[.XX]/YYMMNNN` with an optional `vN`, such as
  /// `math.GT/0309136v2`, where `slash` is the index of the first `/`. The
  /// id drops the subject class `.XX`.
  private static func parseOldStyle(_ bytes: [UInt8], slash: Int) -> ArxivIdentifier? {
    var archive = bytes[..<slash]
    var hasSubjectClass = false
    if let dot = archive.firstIndex(of: UInt8(ascii: ".")) {
      let subjectClass = archive[(dot + 1)...]
      guard subjectClass.count == 2, subjectClass.allSatisfy({ (0x41...0x5A).contains($0) })
      else { return nil }
      archive = archive[..<dot]
      hasSubjectClass = true
    }
    // YYMM, then a three-digit number.
    let digits = bytes[(slash + 1)...].prefix(while: isDigit)
    guard digits.count == 7,
      isOldStyle(
        archive: Substring(decoding: archive, as: UTF8.self), subjectClass: hasSubjectClass),
      isOldStyleMonth(Substring(decoding: digits.prefix(4), as: UTF8.self)),
      digits.suffix(3).contains(where: { $0 != UInt8(ascii: "0") })
    else { return nil }
    // arXiv's id leaves the subject class out: math.GT/0309136 is math/0309136,
    // the form that the API and the listings give.
    return make(archive + [UInt8(ascii: "/")] + digits, versionSuffix: bytes[digits.endIndex...])
  }

  static func isDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
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

  /// Returns the identifier `id` with the version in `versionSuffix`,
  /// which is empty or `v` and the digits of a number from 1.
  private static func make(_ id: ArraySlice<UInt8>, versionSuffix: ArraySlice<UInt8>)
    -> ArxivIdentifier?
  {
    let id = String(decoding: id, as: UTF8.self)
    guard let mark = versionSuffix.first else { return ArxivIdentifier(id: id, version: nil) }
    let digits = versionSuffix.dropFirst()
    guard mark == UInt8(ascii: "v"), !digits.isEmpty, digits.allSatisfy(isDigit),
      let number = Int(String(decoding: digits, as: UTF8.self)), number >= 1
    else { return nil }
    return ArxivIdentifier(id: id, version: number)
  }
}
