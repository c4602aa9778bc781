import Foundation
import Testing

@testable import PaperSiftKit

/// Feeds and JSON Lines days with ids whose month has not begun yet.
@Suite struct FutureMonthItemTests {
  /// 2025-05-15: an id of 2025-06 is accepted as a margin, one of 2025-07 is in the future.
  static func now() throws -> Date {
    try ArxivIdentifierTests.instant("2025-05-15T12:00:00Z")
  }

  /// Parses `text` at ``now()`` and returns the document and the lines
  /// logged meanwhile about `source`.
  static func parse(_ text: String, source: String, fileName: String? = nil) throws
    -> (FeedDocument, String)
  {
    var document: FeedDocument?
    let now = try Self.now()
    let log = try captureStandardError {
      document = try FeedReader.parse(
        Data(text.utf8), source: source, fileName: fileName, now: now)
    }
    let own = log.split(separator: "\n").filter { $0.contains("source=\(source)") }
    return (try #require(document), own.joined(separator: "\n"))
  }

  @Test func rssFutureItemIsSkipped() throws {
    let text = IncompleteFeedItemTests.rss([
      IncompleteFeedItemTests.rssItem(id: "2505.00001"),
      IncompleteFeedItemTests.rssItem(id: "2507.00002"),
      IncompleteFeedItemTests.rssItem(id: "2506.00003"),
    ])

    let (document, log) = try Self.parse(text, source: "future.xml")

    #expect(document.papers.map(\.id) == ["2505.00001", "2506.00003"])
    #expect(document.skippedItems == 1)
    #expect(document.futureMonthIDs == ["2507.00002"])
    #expect(
      log.contains(
        "Feed item has an arXiv id whose month is in the future; skipped paper=2507.00002 "
          + "reason=\"its month 2025-07 is in the future\" source=future.xml"))
    #expect(log.contains("skipped=1 papers=3 ids=2507.00002 without_warning=0"))
  }

  @Test func jsonLinesFutureLineIsSkipped() throws {
    let lines = ["2505.00001", "2912.00001", "2505.00003"].map { JSONLinesDayParserTests.line($0) }

    let (document, log) = try Self.parse(
      lines.joined(separator: "\n"), source: "future.jsonl", fileName: "2025-05-05.papers.jsonl")

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00003"])
    #expect(document.skippedItems == 1)
    #expect(document.futureMonthIDs == ["2912.00001"])
    #expect(log.contains("skipped paper=2912.00001 reason=\"its month 2029-12 is in the future\""))
  }

  @Test func oldStyleIdIsNeverFuture() throws {
    let lines = ["hep-th/9901001", "2505.00002"].map { JSONLinesDayParserTests.line($0) }

    let (document, _) = try Self.parse(
      lines.joined(separator: "\n"), source: "old.jsonl", fileName: "2025-05-05.papers.jsonl")

    #expect(document.papers.map(\.id) == ["hep-th/9901001", "2505.00002"])
    #expect(document.futureMonthIDs.isEmpty)
  }

  @Test func allFutureItemsAreRejected() throws {
    let text = IncompleteFeedItemTests.atom([
      IncompleteFeedItemTests.atomEntry(id: "http://arxiv.org/abs/2508.00001v1"),
      IncompleteFeedItemTests.atomEntry(id: "http://arxiv.org/abs/2509.00002v1"),
    ])

    let error = #expect(throws: PaperSiftError.self) {
      try Self.parse(text, source: "all-future.xml")
    }

    #expect(error?.code == .invalidInput)
    #expect(
      error?.message
        == "Every one of the 2 papers of 'all-future.xml' has an arXiv id whose month is in "
        + "the future, such as 2508.00001 (its month 2025-08 is in the future). Nothing was "
        + "stored. Check the system clock, and that the file lists real arXiv papers.")
  }
}
