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
    var lineNumber = 0
    for lineData in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      let text = String(decoding: lineData, as: UTF8.self)
      guard !text.allSatisfy(\.isWhitespace) else { continue }

      let line: Line
      do {
        line = try decoder.decode(Line.self, from: Data(lineData))
      } catch let error as DecodingError {
        throw malformed(source, lineNumber, JSONErrorText.describe(error))
      } catch {
        throw malformed(source, lineNumber, error.localizedDescription)
      }
      guard let identifier = ArxivIdentifier.parse(line.id) else {
        throw malformed(source, lineNumber, "invalid arXiv id '\(line.id)'")
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

  /// Returns the day of a file named `YYYY-MM-DD.papers.jsonl`, else nil.
  static func day(fromFileName name: String) -> String? {
    guard let match = name.wholeMatch(of: /(\d{4}-\d{2}-\d{2})\.papers\.jsonl/),
      FeedText.isDay(String(match.1))
    else { return nil }
    return String(match.1)
  }

  private static func malformed(_ source: String, _ line: Int, _ reason: String)
    -> PaperSiftError
  {
    PaperSiftError(
      .invalidInput,
      "Malformed JSON Lines in '\(source)' at line \(line): \(reason). "
        + "Nothing was imported; fix or re-export the file.")
  }
}
