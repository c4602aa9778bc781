import Foundation

/// Reads a day of papers stored as JSON Lines, one object per line:
/// `{"id": "2505.01234", "title": …, "authors": [...], "abstract": …,
/// "categories": [...]}`, primary category first.
///
/// The lines carry no announce type and no version, so every paper is taken
/// as a new version 1 unless the line has `version` or an id such as
/// `2505.01234v2`. A file named `YYYY-MM-DD.papers.jsonl` is the listing of
/// that day; any other name leaves the day to the caller.
enum JSONLinesDayParser {
  struct Line: Decodable {
    var id: String
    var title: String
    var authors: [String]
    var abstract: String
    var categories: [String]
    var version: Int?
  }

  static func parse(_ data: Data, source: String, fileName: String?) throws -> FeedDocument {
    let date = fileName.flatMap(day(fromFileName:))
    let decoder = JSONDecoder()
    var papers: [Paper] = []
    var firstLine: [String: Int] = [:]
    var lineNumber = 0
    for lineData in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      let text = String(decoding: lineData, as: UTF8.self)
      guard !text.allSatisfy(\.isWhitespace) else { continue }

      let line: Line
      do {
        line = try decoder.decode(Line.self, from: Data(lineData))
      } catch let error as DecodingError {
        let (column, reason) = reason(for: error, in: Data(lineData))
        throw malformed(source, lineNumber, column: column, reason)
      } catch {
        throw malformed(source, lineNumber, error.localizedDescription)
      }
      guard let identifier = ArxivIdentifier.parse(line.id) else {
        throw malformed(source, lineNumber, "invalid arXiv id '\(line.id)'")
      }
      if let version = line.version, version < 1 {
        throw malformed(source, lineNumber, "invalid version \(version), expected 1 or more")
      }
      if let first = firstLine[identifier.id] {
        // Storing both would keep whichever came last without a word.
        throw malformed(
          source, lineNumber, "paper \(identifier.id) is listed again (first on line \(first))")
      }
      firstLine[identifier.id] = lineNumber
      guard !FeedText.clean(line.title).isEmpty, !FeedText.clean(line.abstract).isEmpty else {
        throw malformed(source, lineNumber, "paper \(identifier.id) has an empty title or abstract")
      }
      papers.append(
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
    return FeedDocument(format: .jsonLines, source: source, date: date, papers: papers)
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

  private static func malformed(
    _ source: String, _ line: Int, column: Int? = nil, _ reason: String
  ) -> PaperSiftError {
    let position = "line \(line)" + (column.map { ", column \($0)" } ?? "")
    let sentence = reason.hasSuffix(".") ? reason : reason + "."
    return PaperSiftError(
      .invalidInput,
      "Malformed JSON Lines in '\(source)' at \(position): \(sentence) "
        + "Nothing was imported; fix or re-export the file.")
  }
}
