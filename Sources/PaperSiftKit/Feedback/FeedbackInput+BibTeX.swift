import Foundation

// Which fields of a BibTeX entry give its arXiv id, and the note on skipped entries.
extension FeedbackInput {
  /// The maximum number of citation keys that ``skippedNote(for:source:)`` lists.
  static let maxListedKeys = 10

  /// Reads the ids of the entries of the BibTeX `text`, and of the id list
  /// lines outside entries, in file order.
  ///
  /// BibTeX reads text outside entries as a comment, but a user may paste a
  /// citation into a list of ids, so a line outside entries is read as a
  /// list line by ``readOutsideLine(_:number:currentMonth:)``.
  static func parseBibTeX(_ text: String, source: String, now: Date) throws
    -> FeedbackFileContents
  {
    let (entries, outside) = try BibTeXReader.read(text, source: source)
    var contents = FeedbackFileContents(identifiers: [], entryCount: entries.count)
    let currentMonth = ArxivIdentifier.monthNumber(of: now)
    var runs = outside[...]
    for index in 0...entries.count {
      while let run = runs.first, run.entriesBefore == index {
        runs.removeFirst()
        for (offset, line) in lines(of: String(run.text)).enumerated() {
          let read = readOutsideLine(line, number: run.line + offset, currentMonth: currentMonth)
          contents.identifiers += read.identifiers
          contents.invalidLines += read.invalid
        }
      }
      guard index < entries.count else { break }
      let entry = entries[index]
      switch identifier(of: entry, now: now) {
      case .found(let identifier):
        contents.identifiers.append(identifier)
      case .invalid(let problem):
        contents.skippedEntries.append(
          SkippedBibTeXEntry(key: entry.key, line: entry.line, problem: problem))
      case .absent:
        contents.skippedEntries.append(
          SkippedBibTeXEntry(key: entry.key, line: entry.line, problem: nil))
      }
    }
    contents.identifiers = unique(contents.identifiers)
    return contents
  }

  /// Joins the first ``maxListedKeys`` of `names` with commas, followed by
  /// "and N more" for the rest, so that a long list fits a message.
  public static func clippedList(_ names: [String]) -> String {
    var listed = Array(names.prefix(maxListedKeys))
    if names.count > maxListedKeys { listed.append("and \(names.count - maxListedKeys) more") }
    return listed.joined(separator: ", ")
  }

  /// Returns the note that lists the entries of `contents` without an
  /// arXiv field, or nil when every entry has one.
  ///
  /// At most ``maxListedKeys`` keys are named. The entries whose arXiv
  /// field is invalid are left to ``invalidIDReport(for:source:)``.
  public static func skippedNote(for contents: FeedbackFileContents, source: String) -> String? {
    let skipped = contents.skippedEntries.filter { $0.problem == nil }
    guard !skipped.isEmpty else { return nil }
    return "skipped \(skipped.count) of \(contents.entryCount) BibTeX entries in '\(source)' "
      + "that have no arXiv id: \(clippedList(skipped.map(\.name))). To include an entry, "
      + "give it an arXiv id such as eprint = {2501.19281}."
  }

  /// The outcome of looking for an entry's arXiv id.
  enum EntryIdentifier: Equatable {
    case found(ArxivIdentifier)
    /// The entry has an arXiv field whose value is no valid id, or one that
    /// uses an undefined macro.
    case invalid(String)
    /// The entry has no arXiv field.
    case absent
  }

  /// Returns the arXiv id of `entry`, taken from its first arXiv field.
  ///
  /// A new-style id whose month is in the future at `now` is invalid. A
  /// field that uses an undefined macro is skipped. It becomes the entry's
  /// problem only when no other arXiv field gives an id or a problem. The
  /// fields, in order:
  /// - `eprint`, unless `archivePrefix` or `eprinttype` names another server.
  ///   An old-style number without its archive, such as `9901001`, takes
  ///   the archive from `primaryClass`: `hep-th` gives `hep-th/9901001`, and
  ///   `math.GT` gives `math/0309136`, the id that arXiv's API returns.
  /// - `arxiv`, `arxivid`, `arxiv_id` or `arxiv-id`
  /// - `url` or `howpublished`, when it contains `arxiv.org`
  /// - `doi`, when it has arXiv's DOI prefix 10.48550/arXiv.
  /// - `journal`, when it starts with Google Scholar's `arXiv preprint arXiv:`
  ///
  /// Other fields, such as a `note` that cites another paper, are never read.
  static func identifier(of entry: BibTeXEntry, now: Date) -> EntryIdentifier {
    var undefinedMacroProblem: String?
    for (field, value) in arxivFields(of: entry) {
      if let macro = entry.undefinedMacros[field] {
        undefinedMacroProblem =
          undefinedMacroProblem ?? "\(field) uses the undefined macro '\(macro)'"
        continue
      }
      let cleaned = withoutCategory(cleanedValue(value))
      let id: Substring
      switch field {
      case "doi": id = remainder(of: cleaned, after: arxivDOIPrefix)
      case "journal": id = remainder(of: cleaned, after: googleScholarJournalPrefix)
      case "eprint" where isOldStyleNumber(withoutArxivPrefix(cleaned)):
        switch oldStyleID(number: withoutArxivPrefix(cleaned), entry: entry) {
        case .success(let oldStyle): id = oldStyle
        case .failure(let problem):
          return .invalid("invalid eprint '\(shown(cleaned))' \(problem.reason)")
        }
      default: id = Substring(cleaned)
      }
      guard let identifier = ArxivIdentifier.parse(String(id)) else {
        let reason =
          ArxivIdentifier.formRejection(String(id)).map { "because \($0.reason)" }
          ?? "because it is in none of the forms listed below"
        return .invalid("invalid \(field) '\(shown(cleaned))' \(reason)")
      }
      if let reason = identifier.futureMonthReason(now: now) {
        return .invalid("invalid \(field) '\(shown(cleaned))' because \(reason)")
      }
      return .found(identifier)
    }
    return undefinedMacroProblem.map { .invalid($0) } ?? .absent
  }

  /// Returns the names and values of the fields of `entry` that claim to
  /// contain its arXiv id, in the order of ``identifier(of:now:)``.
  ///
  /// A `url`, `howpublished` or `doi` that uses an undefined macro is
  /// included, because the macro may have contained the arXiv part. A
  /// `journal` that uses one is not, because journal names are often macros.
  private static func arxivFields(of entry: BibTeXEntry) -> [(String, String)] {
    let fields = entry.fields
    var result: [(String, String)] = []
    let prefixes = [fields["archiveprefix"], fields["eprinttype"]].compactMap { $0 }
    if let eprint = fields["eprint"],
      prefixes.allSatisfy({ cleanedValue($0).lowercased() == "arxiv" })
    {
      result.append(("eprint", eprint))
    }
    for name in ["arxiv", "arxivid", "arxiv_id", "arxiv-id"] {
      if let value = fields[name] { result.append((name, value)) }
    }
    let undefined = entry.undefinedMacros
    for name in ["url", "howpublished"] {
      if let value = fields[name],
        value.lowercased().contains("arxiv.org") || undefined[name] != nil
      {
        result.append((name, value))
      }
    }
    if let doi = fields["doi"],
      doi.lowercased().contains(arxivDOIPrefix) || undefined["doi"] != nil
    {
      result.append(("doi", doi))
    }
    if let journal = fields["journal"],
      cleanedValue(journal).lowercased().hasPrefix(googleScholarJournalPrefix)
    {
      result.append(("journal", journal))
    }
    return result
  }

  /// The reason that an `eprint` old-style number without its archive gives no id.
  struct OldStyleProblem: Error {
    /// A clause that starts with "because".
    var reason: String
  }

  /// Returns the old-style id of the `number` of an `eprint` without its
  /// archive, such as `hep-th/9901001` for `9901001` and the `primaryClass`
  /// `hep-th` of `entry`, or the reason that there is none.
  private static func oldStyleID(number: Substring, entry: BibTeXEntry)
    -> Result<Substring, OldStyleProblem>
  {
    guard let primaryClass = entry.fields["primaryclass"].map(cleanedValue),
      let archive = primaryClass.split(separator: ".").first, !archive.isEmpty
    else {
      return .failure(
        OldStyleProblem(
          reason: "because an old-style number needs its archive, as in primaryClass = {hep-th}"
        ))
    }
    let id = Substring("\(archive.lowercased())/\(number)")
    if ArxivIdentifier.parse(String(id)) != nil { return .success(id) }
    guard ArxivIdentifier.oldStyleArchives.contains(Substring(archive.lowercased())) else {
      return .failure(
        OldStyleProblem(
          reason: "because primaryClass = {\(shown(primaryClass))} names no archive of "
            + "old-style ids, such as hep-th or math"))
    }
    return .failure(
      OldStyleProblem(
        reason: "because its YYMM \(number.prefix(4)) is not a month from 9107 to 0703, "
          + "the span of old-style ids"))
  }

  /// Returns `value` without a leading `arXiv:` in any letter case.
  private static func withoutArxivPrefix(_ value: String) -> Substring {
    value.lowercased().hasPrefix("arxiv:") ? value.dropFirst(6) : Substring(value)
  }

  /// Returns `value` without a category in brackets after a space at its
  /// end, as in `2505.00146 [cs.LG]`.
  private static func withoutCategory(_ value: String) -> String {
    guard value.hasSuffix("]"), let open = value.lastIndex(of: "["),
      let before = value[..<open].last, before.isWhitespace
    else { return value }
    return value[..<open].trimmingCharacters(in: .whitespaces)
  }

  private static func shown(_ text: String) -> String { ArxivIdentifier.shown(text) }

  /// Tells whether `value` is the number of an old-style id without its
  /// archive, YYMMNNN with an optional version, as in `eprint = {9901001}`.
  private static func isOldStyleNumber(_ value: Substring) -> Bool {
    let bytes = Array(value.utf8)
    guard bytes.count >= 7, bytes[..<7].allSatisfy(ArxivIdentifier.isDigit) else {
      return false
    }
    let version = bytes[7...]
    return version.isEmpty
      || (version.first == UInt8(ascii: "v") && version.count > 1
        && version.dropFirst().allSatisfy(ArxivIdentifier.isDigit))
  }

  /// The DOI prefix of arXiv's DataCite DOIs, such as 10.48550/arXiv.2501.19281.
  private static let arxivDOIPrefix = "10.48550/arxiv."
  /// The start of the journal that Google Scholar's BibTeX export gives an
  /// arXiv paper, as in `arXiv preprint arXiv:2501.19281`.
  private static let googleScholarJournalPrefix = "arxiv preprint arxiv:"

  /// Returns the text after the first `prefix` in `value`, ignoring case,
  /// or all of `value` when it does not contain `prefix`.
  private static func remainder(of value: String, after prefix: String) -> Substring {
    guard let range = value.range(of: prefix, options: .caseInsensitive) else {
      return Substring(value)
    }
    return value[range.upperBound...]
  }

  /// Returns `value` without `\url`, braces and surrounding whitespace.
  private static func cleanedValue(_ value: String) -> String {
    value.replacingOccurrences(of: "\\url", with: "")
      .filter { $0 != "{" && $0 != "}" }
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
