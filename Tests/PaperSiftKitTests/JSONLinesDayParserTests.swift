import Foundation
import Testing

@testable import PaperSiftKit

/// JSON Lines days with empty texts, repeated papers and invalid lines.
@Suite struct JSONLinesDayParserTests {
  static func line(
    _ id: String, title: String = "A title", abstract: String = "An abstract."
  ) -> String {
    #"{"id": "\#(id)", "title": "\#(title)", "authors": ["Ada Lovelace"], "#
      + #""abstract": "\#(abstract)", "categories": ["cs.LG"]}"#
  }

  /// Parses `lines` as the file `2025-05-05.papers.jsonl` and returns the
  /// document and the lines logged meanwhile about it. Lines of other tests
  /// that log at the same time are left out by their source.
  static func parse(_ lines: [String]) throws -> (FeedDocument, String) {
    var document: FeedDocument?
    let log = try captureStandardError {
      document = try FeedReader.parse(
        Data(lines.joined(separator: "\n").utf8), source: "parser-test.jsonl",
        fileName: "2025-05-05.papers.jsonl")
    }
    let own = log.split(separator: "\n").filter { $0.contains("source=parser-test.jsonl") }
    return (try #require(document), own.joined(separator: "\n"))
  }

  @Test func emptyTitleAndAbstractAreKept() throws {
    let (document, log) = try Self.parse([
      Self.line("2505.00001"), Self.line("2505.00002", title: "  "),
      Self.line("2505.00003", abstract: ""),
    ])

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00002", "2505.00003"])
    #expect(document.papers[1].title == "")
    #expect(document.papers[1].abstract == "An abstract.")
    #expect(document.papers[2].abstract == "")
    #expect(document.papers.allSatisfy { $0.announced == "2025-05-05" })
    #expect(document.skippedItems == 0)
    #expect(
      log.contains("empty title, abstract or author list; kept paper=2505.00002 empty=title line=2")
    )
    #expect(log.contains("kept paper=2505.00003 empty=abstract line=3 source=parser-test.jsonl"))
    #expect(!log.contains("paper=2505.00001"))
    #expect(!log.contains("skipped"))
  }

  @Test func repeatedIdKeepsFirstLine() throws {
    let (document, log) = try Self.parse([
      Self.line("2505.00001", title: "First"), Self.line("2505.00002"),
      Self.line("2505.00001v2", title: "Second"), Self.line("2505.00001", title: "Third"),
    ])

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00002"])
    #expect(document.papers[0].title == "First")
    #expect(document.papers[0].version == 1)
    #expect(document.skippedItems == 2)
    let warning = "JSON Lines line repeats a paper; skipped, first line kept paper=2505.00001"
    #expect(log.contains("\(warning) line=3 first_line=1 source=parser-test.jsonl"))
    #expect(log.contains("\(warning) line=4 first_line=1 source=parser-test.jsonl"))
    #expect(
      log.contains(
        "Skipped invalid or repeated JSON Lines lines skipped=2 lines=4 line_numbers=3-4 "
          + "without_warning=0 source=parser-test.jsonl"))
  }

  @Test(arguments: [
    (#"{"id": "2505.00009",, }"#, #"line=2 column=21 reason="Invalid value around character 20.""#),
    (
      #"{"id": "2505.00009", "title": "T"}"#, #"line=2 reason="missing key 'authors' at top level""#
    ),
    (line("25.1"), #"line=2 reason="invalid arXiv id '25.1'""#),
    (#"{"id": 7}"#, #"line=2 reason="expected a string at id""#),
    (
      line("2505.00009").replacingOccurrences(of: "}", with: #", "version": 0}"#),
      #"line=2 reason="invalid version 0, expected 1 or more""#
    ),
    (#"["2505.00009"]"#, "line=2 reason="),
  ])
  func invalidLineIsSkippedAndNamed(invalid: String, expected: String) throws {
    let (document, log) = try Self.parse([
      Self.line("2505.00001"), invalid, "", Self.line("2505.00003"),
    ])

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00003"])
    #expect(document.skippedItems == 1)
    #expect(
      log.contains("JSON Lines line is not a valid paper; skipped \(expected)"), "log: \(log)")
    #expect(log.contains("skipped=1 lines=3 line_numbers=2 without_warning=0"), "log: \(log)")
  }

  @Test func invalidLineDoesNotHideLaterRepeat() throws {
    // The first line with the id is invalid, so the second is the one kept.
    let (document, log) = try Self.parse([
      Self.line("2505.00001").replacingOccurrences(of: "}", with: #", "version": -1}"#),
      Self.line("2505.00001", title: "Kept"),
    ])

    #expect(document.papers.map(\.title) == ["Kept"])
    #expect(document.skippedItems == 1)
    #expect(log.contains("skipped line=1 reason=\"invalid version -1, expected 1 or more\""))
    #expect(!log.contains("repeats a paper"))
  }

  @Test func manySkippedLinesAreAllNamed() throws {
    let invalid = (2...26).map { #"{"id": "not-an-id-\#($0)"}"# }
    let (document, log) = try Self.parse(
      [Self.line("2505.00001")] + invalid + [Self.line("2505.00027"), Self.line("2505.00001")])

    #expect(document.papers.map(\.id) == ["2505.00001", "2505.00027"])
    #expect(document.skippedItems == 26)
    let warnings = log.split(separator: "\n").filter { $0.contains("; skipped") }
    #expect(warnings.count == FeedItemChecks.maxItemWarnings)
    #expect(log.contains("skipped line=21 reason="))
    #expect(!log.contains("skipped line=22 reason="))
    #expect(
      log.contains(
        "skipped=26 lines=28 line_numbers=2-26,28 without_warning=6 source=parser-test.jsonl"))
  }

  @Test(arguments: [
    ([Int](), ""),
    ([4], "4"),
    ([2, 5, 6, 7, 9], "2,5-7,9"),
    ([1, 2, 3], "1-3"),
  ])
  func lineRangesJoinRuns(numbers: [Int], expected: String) {
    #expect(FeedItemChecks.ranges(numbers) == expected)
  }

  @Test func labelsFileIsRejected() throws {
    let labels = try String(
      contentsOf: TestFiles.repositoryRoot.appendingPathComponent(
        "Data/benchmark/2025-05-05.labels.jsonl"), encoding: .utf8)
    let lines = labels.split(separator: "\n").count

    let error = #expect(throws: PaperSiftError.self) {
      try FeedReader.parse(
        Data(labels.utf8), source: "2025-05-05.labels.jsonl",
        fileName: "2025-05-05.labels.jsonl")
    }

    #expect(error?.code == .invalidInput)
    #expect(
      error?.message.contains(
        "None of the \(lines) lines of the JSON Lines file '2025-05-05.labels.jsonl' is a "
          + "valid paper. The first problem is at line 1: missing key 'title' at top level.")
        == true,
      "got: \(error?.message ?? "")")
  }

  @Test func importReportsSkippedLines() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let text = [
      Self.line("2505.00001"), "not json", Self.line("2505.00002", title: ""),
      Self.line("2505.00001v3"),
    ].joined(separator: "\n")

    let (imported, listing) = try ImportCommandTests.importDay(text, into: home)

    #expect(imported.status == 0, "stderr: \(imported.errorOutput)")
    #expect(
      imported.output
        == "2025-05-05.papers.jsonl: stored 2 papers of 2025-05-05 (2 new, 0 updated, "
        + "0 unchanged), skipped 1 invalid line and 1 repeated line.\n")
    #expect(imported.errorOutput.contains("not a valid paper; skipped line=2 column=2"))
    #expect(imported.errorOutput.contains("repeats a paper; skipped, first line kept"))
    #expect(imported.errorOutput.contains("paper=2505.00001 line=4 first_line=1"))
    #expect(imported.errorOutput.contains("kept paper=2505.00002 empty=title line=3"))
    #expect(imported.errorOutput.contains("line_numbers=2,4"))
    let listed = try ImportCommandTests.listed(listing)
    #expect(listed.map(\.id).sorted() == ["2505.00001", "2505.00002"])
  }
}
