import Foundation
import Testing

@testable import PaperSiftKit

/// Ids in a BibTeX file outside its entries, as when a citation is pasted
/// into a list of ids, and ids separated by commas on the command line.
@Suite struct BibTeXOutsideTextTests {
  static func parse(_ text: String) throws -> FeedbackFileContents {
    try FeedbackInput.parse(text, source: "mixed.txt")
  }

  @Test func idsBeforeEntryRead() throws {
    let contents = try Self.parse(
      "2505.00083\n2505.00084\n@misc{x, eprint={2505.00085}}\n")

    #expect(contents.identifiers.map(\.id) == ["2505.00083", "2505.00084", "2505.00085"])
    #expect(contents.invalidLines.isEmpty)
    #expect(contents.skippedEntries.isEmpty)
    #expect(contents.entryCount == 1)
  }

  @Test func entryWithoutIdKeepsListId() throws {
    let contents = try Self.parse("2505.00082\n@misc{x}\n")

    #expect(contents.identifiers.map(\.id) == ["2505.00082"])
    #expect(contents.skippedEntries == [SkippedBibTeXEntry(key: "x", line: 2, problem: nil)])
    #expect(FeedbackInput.invalidIDReport(for: contents, source: "mixed.txt") == nil)
  }

  /// Ids come in file order, text after an entry on its closing line is
  /// read, and blocks, `%` lines and text without anything like an id are
  /// comments.
  @Test func outsideLinesReadInFileOrder() throws {
    let text = """
      This file was created with JabRef 2.10.
      Encoding: UTF-8
      @misc{a, eprint = {2505.00001}} 2505.00002
      2505.00003 # from the talk
      @comment{2505.00010}
      @string{arx = "arXiv"}
      @misc{b,
        eprint = {2505.00004}
      }
      % see also 2505.00011
      2505.0008
      """

    let contents = try Self.parse(text + "\n")

    #expect(
      contents.identifiers.map(\.id) == ["2505.00001", "2505.00002", "2505.00003", "2505.00004"])
    try #require(contents.invalidLines.count == 1)
    #expect(contents.invalidLines[0].line == 11)
    #expect(contents.invalidLines[0].text == "2505.0008")
    #expect(
      contents.invalidLines[0].rejection?.reason
        == "its number 0008 has 4 digits, but ids of the months from 1501 (January 2015) on "
        + "have 5")
    #expect(contents.entryCount == 2)
  }

  @Test func invalidLinesAndEntriesBothReported() throws {
    let contents = try Self.parse(
      "arXiv:2505.0009, 2505.00001\n@misc{t, eprint = {2503.2000}}\n")

    let report = try #require(FeedbackInput.invalidIDReport(for: contents, source: "mixed.txt"))
    let lines = report.split(separator: "\n").map(String.init)
    try #require(lines.count == 6)
    #expect(lines[0] == "Skipped 1 id of 'mixed.txt' that is not a valid arXiv id:")
    #expect(
      lines[1]
        == "  line 1: 'arXiv:2505.0009' (part of the line) because its number 0009 has 4 "
        + "digits, but ids of the months from 1501 (January 2015) on have 5")
    #expect(lines[2].hasPrefix("Accepted forms: 2501.19281, "))
    #expect(lines[2].hasSuffix(". Copy the id from the paper's arXiv page."))
    #expect(lines[3] == "Skipped 1 BibTeX entry of 'mixed.txt' with an invalid arXiv id:")
    #expect(
      lines[4]
        == "  t, line 2: invalid eprint '2503.2000' because its number 2000 has 4 digits, but "
        + "ids of the months from 1501 (January 2015) on have 5")
    #expect(lines[5].hasPrefix("Write the id in the eprint, arxiv or url field"))
  }

  @Test func likeFromMixedFileStoresEveryId() throws {
    try FeedbackCommandTests.withOfflineHome { _, home in
      let mixed = try TestFiles.write(
        "2505.00083\n2505.00084\n@misc{x, eprint={2505.00085}}\n", named: "mixed.txt",
        in: home)
      let noEprint = try TestFiles.write(
        "2505.00082\n@misc{x}\n", named: "no-eprint.txt", in: home)
      let papersift = try PaperSiftProcess(home: home)

      let fromMixed = try papersift.run(["like", "--from", mixed.path])
      let fromNoEprint = try papersift.run(["dislike", "--from", noEprint.path])

      #expect(fromMixed.status == 0, "stderr: \(fromMixed.errorOutput)")
      #expect(
        fromMixed.output
          == "2505.00083: liked (pending: the arXiv look-up failed)\n"
          + "2505.00084: liked (pending: the arXiv look-up failed)\n"
          + "2505.00085: liked (pending: the arXiv look-up failed)\n")
      #expect(fromNoEprint.status == 0, "stderr: \(fromNoEprint.errorOutput)")
      #expect(
        fromNoEprint.output == "2505.00082: disliked (pending: the arXiv look-up failed)\n")
      #expect(
        fromNoEprint.errorOutput.contains(
          "note: skipped 1 of 1 BibTeX entries in '\(noEprint.path)' that have no arXiv id: x."))
      let entries = try FeedbackStore(
        database: Database(path: home.appendingPathComponent("papersift.sqlite").path)
      ).entries()
      #expect(
        entries.map(\.paperId) == ["2505.00083", "2505.00084", "2505.00085", "2505.00082"])
    }
  }

  @Test func commandLineCommasSeparateIds() throws {
    try FeedbackCommandTests.withOfflineHome { _, home in
      let papersift = try PaperSiftProcess(home: home)

      let liked = try papersift.run(["like", "2505.00102,2505.00103", "2505.00104;"])
      let unliked = try papersift.run(["unlike", "2505.00102, 2505.00104"])

      #expect(liked.status == 0, "stderr: \(liked.errorOutput)")
      #expect(
        liked.output
          == "2505.00102: liked (pending: the arXiv look-up failed)\n"
          + "2505.00103: liked (pending: the arXiv look-up failed)\n"
          + "2505.00104: liked (pending: the arXiv look-up failed)\n")
      #expect(unliked.status == 0, "stderr: \(unliked.errorOutput)")
      #expect(unliked.output == "2505.00102: removed\n2505.00104: removed\n")
    }
  }

  @Test(arguments: [
    (["like", "2505.00102,foo"], "Invalid arXiv id 'foo'."),
    (["like", ",;"], "Invalid arXiv id ',;'."),
    (["unlike", "2505.00102;2505.00103 x"], "Invalid arXiv id '2505.00103 x'."),
  ])
  func commandLinePartRejected(arguments: [String], message: String) throws {
    try FeedbackCommandTests.withOfflineHome { server, home in
      let result = try PaperSiftProcess(home: home).run(arguments)

      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(result.output.isEmpty)
      #expect(result.errorOutput.contains(message), "stderr: \(result.errorOutput)")
      #expect(server.requests.isEmpty)
    }
  }

  @Test func unlikeFileWithoutIdSaysRemoved() throws {
    try FeedbackCommandTests.withOfflineHome { _, home in
      let file = try TestFiles.write("foo\n", named: "ids.txt", in: home)

      let result = try PaperSiftProcess(home: home).run(["unlike", "--from", file.path])

      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(
        result.errorOutput.contains(
          "error: '\(file.path)' contains no valid arXiv id, so nothing was removed. "))
    }
  }
}
