import Foundation

/// Reads a day of papers stored as JSON Lines, one object per line:
/// `{"id": "2505.01234", "title": …, "authors": [...], "abstract": …,
/// "categories": [...]}`, primary category first.
///
/// The lines carry no announce type and no version, so every paper is taken
/// as a new version 1 unless the line has `version` or an id such as
/// `2505.01234v2`. A file named `YYYY-MM-DD.papers.jsonl` is the listing of
/// that day; any other name leaves the day to the caller.
///
/// The reader follows the RSS and Atom readers, so that one bad line does
/// not cost the night. A paper with an empty title, abstract or author list
/// is kept with a warning. A line that is not valid JSON, lacks one of the keys, or has an
/// invalid arXiv id or version is skipped with a warning that gives its line
/// number and the reason. A paper listed again keeps its first line, and each
/// later line is skipped with a warning. A file in which no line is a valid
/// paper is rejected, such as a `labels.jsonl` file passed by mistake.
enum JSONLinesDayParser {
  private static let logger = Logger(label: "feed")

  struct Line: Decodable {
    var id: String
    var title: String
    var authors: [String]
    var abstract: String
    var categories: [String]
    var version: Int?
  }

  /// A line left out of the day.
  struct SkippedLine: Equatable {
    enum Problem: Error, Equatable {
      /// The line is not valid JSON, lacks a key, or has an invalid arXiv id or version.
      case invalid(column: Int?, reason: String)
      /// The line lists a paper that an earlier line listed.
      case repeated(id: String, firstLine: Int)
    }

    /// The 1-based line number in the file.
    var line: Int
    var problem: Problem
  }

  static func parse(_ data: Data, source: String, fileName: String?) throws -> FeedDocument {
    let date = fileName.flatMap(day(fromFileName:))
    var papers: [Paper] = []
    var skipped: [SkippedLine] = []
    var firstLine: [String: Int] = [:]
    var lineNumber = 0
    var nonBlankLines = 0
    for lineData in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      let text = String(decoding: lineData, as: UTF8.self)
      guard !text.allSatisfy(\.isWhitespace) else { continue }
      nonBlankLines += 1

      let paper: Paper
      switch read(Data(lineData), date: date) {
      case .failure(let problem):
        skipped.append(SkippedLine(line: lineNumber, problem: problem))
        continue
      case .success(let read):
        paper = read
      }
      if let first = firstLine[paper.id] {
        // Storing both would let the later line replace the first without a word.
        skipped.append(
          SkippedLine(line: lineNumber, problem: .repeated(id: paper.id, firstLine: first)))
        continue
      }
      firstLine[paper.id] = lineNumber
      FeedItemChecks.warnIfEmpty(paper, line: lineNumber, source: source)
      papers.append(paper)
    }

    // Without a kept paper there is no repeat, so every skipped line is invalid.
    if papers.isEmpty, let first = skipped.first,
      case .invalid(let column, let reason) = first.problem
    {
      throw noPaperError(
        source, lines: nonBlankLines, line: first.line, column: column, reason: reason)
    }
    reportSkipped(skipped, lines: nonBlankLines, source: source)
    let repeated = skipped.filter { line in
      if case .repeated = line.problem { return true }
      return false
    }
    return FeedDocument(
      format: .jsonLines, source: source, date: date, papers: papers,
      skippedItems: skipped.count, repeatedItems: repeated.count)
  }

  /// Reads one non-blank line as a paper announced on `date`, or returns why
  /// it is not a valid paper.
  static func read(_ lineData: Data, date: String?) -> Result<Paper, SkippedLine.Problem> {
    let line: Line
    do {
      line = try JSONDecoder().decode(Line.self, from: lineData)
    } catch let error as DecodingError {
      let (column, reason) = reason(for: error, in: lineData)
      return .failure(.invalid(column: column, reason: reason))
    } catch {
      return .failure(.invalid(column: nil, reason: error.localizedDescription))
    }
    guard let identifier = ArxivIdentifier.parse(line.id) else {
      return .failure(.invalid(column: nil, reason: "invalid arXiv id '\(line.id)'"))
    }
    if let version = line.version, version < 1 {
      return .failure(
        .invalid(column: nil, reason: "invalid version \(version), expected 1 or more"))
    }
    return .success(
      Paper(
        id: identifier.id,
        version: line.version ?? identifier.version ?? 1,
        title: FeedText.clean(line.title),
        abstract: FeedText.clean(line.abstract),
        authors: line.authors.map(FeedText.clean).filter { !$0.isEmpty },
        categories: line.categories,
        announceType: .new,
        announced: date))
  }

  /// Describes why a line failed to decode, with the column of a syntax error.
  ///
  /// `JSONDecoder` reports only that the data is not valid JSON, so the line
  /// is parsed again with `JSONSerialization`, whose message gives the
  /// character offset.
  static func reason(for error: DecodingError, in line: Data) -> (column: Int?, text: String) {
    guard case .dataCorrupted(let context) = error, context.codingPath.isEmpty else {
      return (nil, JSONErrorText.describe(error))
    }
    do {
      _ = try JSONSerialization.jsonObject(with: line)
    } catch {
      let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
      guard let detail else { return (nil, "invalid JSON") }
      let offset = detail.firstMatch(of: /around character (\d+)/).flatMap { Int($0.1) }
      return (offset.map { $0 + 1 }, detail)
    }
    return (nil, JSONErrorText.describe(error))
  }

  /// Returns the day of a file named `YYYY-MM-DD.papers.jsonl`, else nil.
  static func day(fromFileName name: String) -> String? {
    guard let match = name.wholeMatch(of: /(\d{4}-\d{2}-\d{2})\.papers\.jsonl/),
      FeedText.isDay(String(match.1))
    else { return nil }
    return String(match.1)
  }

  /// Logs the first ``FeedItemChecks/maxItemWarnings`` skipped lines one by
  /// one with their reason, then a count that names every skipped line.
  static func reportSkipped(_ skipped: [SkippedLine], lines: Int, source: String) {
    guard !skipped.isEmpty else { return }
    for item in skipped.prefix(FeedItemChecks.maxItemWarnings) {
      switch item.problem {
      case .invalid(let column, let reason):
        var metadata = [("line", "\(item.line)")]
        if let column { metadata.append(("column", "\(column)")) }
        metadata += [("reason", reason), ("source", source)]
        logger.warning("JSON Lines line is not a valid paper; skipped", metadata)
      case .repeated(let id, let firstLine):
        logger.warning(
          "JSON Lines line repeats a paper; skipped, first line kept",
          [
            ("paper", id), ("line", "\(item.line)"), ("first_line", "\(firstLine)"),
            ("source", source),
          ])
      }
    }
    logger.warning(
      "Skipped invalid or repeated JSON Lines lines",
      [
        ("skipped", "\(skipped.count)"), ("lines", "\(lines)"),
        ("line_numbers", FeedItemChecks.ranges(skipped.map(\.line))),
        ("without_warning", "\(max(0, skipped.count - FeedItemChecks.maxItemWarnings))"),
        ("source", source),
      ])
  }

  /// Returns the error for a file in which no line is a valid paper, naming its first line.
  private static func noPaperError(
    _ source: String, lines: Int, line: Int, column: Int?, reason: String
  ) -> PaperSiftError {
    let position = "line \(line)" + (column.map { ", column \($0)" } ?? "")
    let sentence = reason.hasSuffix(".") ? reason : reason + "."
    let subject = lines == 1 ? "The only line" : "None of the \(lines) lines"
    return PaperSiftError(
      .invalidInput,
      "\(subject) of the JSON Lines file '\(source)' \(lines == 1 ? "is not" : "is") a valid "
        + "paper. The first problem is at \(position): \(sentence) Nothing was imported. Fix "
        + "or re-export the file with one JSON object a line that has id, title, authors, "
        + "abstract and categories.")
  }
}
