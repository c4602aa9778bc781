import Foundation

// The report on the ids of a `like --from` file that are invalid: list
// lines, or BibTeX entries whose arXiv field is invalid.
extension FeedbackInput {
  /// The maximum number of line ranges that the last line of
  /// ``invalidIDReport(for:source:)`` names, so that a file of many bad
  /// lines does not fill the terminal.
  static let maxListedRanges = 30

  /// Returns the report that names every invalid id of `contents`, or nil
  /// when it has none.
  ///
  /// The first line gives the number of list lines or BibTeX entries
  /// skipped. Then ``maxListedKeys`` of them follow one a line, each with
  /// its line number, text and reason, then the line numbers of the rest.
  /// A list's report ends with the accepted forms and the advice of the
  /// rejections, a BibTeX report with the fields an id is read from. A
  /// BibTeX file with invalid list lines outside entries gets both reports.
  public static func invalidIDReport(for contents: FeedbackFileContents, source: String)
    -> String?
  {
    var reports: [String] = []
    if !contents.invalidLines.isEmpty {
      reports.append(listReport(contents.invalidLines, source: source))
    }
    let invalidEntries = contents.skippedEntries.filter { $0.problem != nil }
    if !invalidEntries.isEmpty {
      reports.append(bibTeXReport(invalidEntries, source: source))
    }
    return reports.isEmpty ? nil : reports.joined(separator: "\n")
  }

  private static func listReport(_ invalid: [InvalidListLine], source: String) -> String {
    var lines = invalid.count == 1 ? "line" : "lines"
    if invalid.contains(where: \.isPartOfLine) {
      lines = invalid.count == 1 ? "id" : "ids or lines"
    }
    let ids = invalid.count == 1 ? "is not a valid arXiv id" : "are not valid arXiv ids"
    var report = ["Skipped \(invalid.count) \(lines) of '\(source)' that \(ids):"]
    for line in invalid.prefix(maxListedKeys) {
      let reason = line.rejection.map { " because \($0.reason)" } ?? ""
      let part = line.isPartOfLine ? " (part of the line)" : ""
      report.append(
        "  line \(line.line): '\(ArxivIdentifier.shown(line.text))'\(part)\(reason)")
    }
    if let rest = remainingLines(invalid.map(\.line)) { report.append(rest) }
    var advice = ["Accepted forms: \(ArxivIdentifier.acceptedForms)."]
    for rejection in invalid.compactMap(\.rejection) where !advice.contains(rejection.advice) {
      advice.append(rejection.advice)
    }
    if invalid.prefix(maxListedKeys).contains(where: {
      ArxivIdentifier.hasHiddenCharacters($0.text)
    }) {
      advice.append(ArxivIdentifier.hiddenCharacterAdvice)
    }
    report.append(advice.joined(separator: " "))
    return report.joined(separator: "\n")
  }

  private static func bibTeXReport(_ invalid: [SkippedBibTeXEntry], source: String) -> String {
    let plural = invalid.count == 1 ? "entry" : "entries"
    var report = [
      "Skipped \(invalid.count) BibTeX \(plural) of '\(source)' with an invalid arXiv id:"
    ]
    for entry in invalid.prefix(maxListedKeys) {
      let place =
        entry.key.isEmpty ? entry.name : "\(entry.key), line \(entry.line)"
      report.append("  \(place): \(entry.problem ?? "")")
    }
    if let rest = remainingLines(invalid.map(\.line)) { report.append(rest) }
    report.append(
      "Write the id in the eprint, arxiv or url field in one of these forms: "
        + "\(ArxivIdentifier.acceptedForms).")
    return report.joined(separator: "\n")
  }

  /// Returns the line that names the lines after the first
  /// ``maxListedKeys`` of `lines`, such as "  and 4 more, on lines 12-14,20",
  /// or nil when there are no more.
  private static func remainingLines(_ lines: [Int]) -> String? {
    let rest = Array(lines.dropFirst(maxListedKeys))
    guard !rest.isEmpty else { return nil }
    let ranges = FeedItemChecks.ranges(rest).split(separator: ",")
    var named = ranges.prefix(maxListedRanges).joined(separator: ",")
    if ranges.count > maxListedRanges { named += ",…" }
    return "  and \(rest.count) more, on \(rest.count == 1 ? "line" : "lines") \(named)"
  }
}
