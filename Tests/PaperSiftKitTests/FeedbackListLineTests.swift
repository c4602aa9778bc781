import Foundation
import Testing

@testable import PaperSiftKit

/// Id list lines in the forms users paste, and BibTeX's split old-style ids.
@Suite struct FeedbackListLineTests {
  static func parse(_ text: String) throws -> FeedbackFileContents {
    try FeedbackInput.parse(text, source: "ids.txt")
  }

  @Test(arguments: [
    ("arXiv:2505.00733 [cs.LG]", ["2505.00733"]),
    ("arXiv:2505.00733v2  [cs.LG]", ["2505.00733"]),
    ("arXiv:2505.00733v1  [cs.LG]  1 May 2025", ["2505.00733"]),
    ("arXiv:hep-th/9901001v3 [hep-th] 22 January 1999", ["hep-th/9901001"]),
    ("2505.01105 # great paper", ["2505.01105"]),
    ("2505.01105\t#great", ["2505.01105"]),
    ("2505.01049, 2505.00725", ["2505.01049", "2505.00725"]),
    ("2505.01049,2505.00725;hep-th/9901001", ["2505.01049", "2505.00725", "hep-th/9901001"]),
    ("2505.01049 2505.00725\t2505.00733", ["2505.01049", "2505.00725", "2505.00733"]),
    ("https://arxiv.org/abs/2505.00908#comments", ["2505.00908"]),
    ("https://arxiv.org/abs/2505.00908?context=cs # found it", ["2505.00908"]),
    ("  # only a comment, 2505.00001", []),
    (", ,", []),
    ("2505.00014,#comment after comma", ["2505.00014"]),
    ("2505.00014;# comment", ["2505.00014"]),
    ("2505.00016 [cs.LG, stat.ML]", ["2505.00016"]),
    ("2505.00016 [cs.LG,stat.ML,math.OC] 2505.00017", ["2505.00016", "2505.00017"]),
    ("arXiv:2505.00017v1 [cs.LG] 12 Sept 2025", ["2505.00017"]),
    ("arXiv:2505.00017v1 [cs.LG] 12 Sep. 2025", ["2505.00017"]),
    ("arXiv:2505.00017v1 [cs.LG] 3 june 2025", ["2505.00017"]),
    (
      "arXiv:2505.00017v1 [cs.LG, stat.ML] 12 SEPT. 2025, 2505.00018",
      ["2505.00017", "2505.00018"]
    ),
    ("arXiv:2505.00013\u{A0}[cs.LG]", ["2505.00013"]),
    ("2505.00193\u{2003}[cs.LG]", ["2505.00193"]),
    ("2505.00001\u{2009}2505.00002\u{3000}2505.00003", ["2505.00001", "2505.00002", "2505.00003"]),
    ("2505.00001\u{200B}2505.00002", ["2505.00001", "2505.00002"]),
    ("2505.00001\u{A0}#\u{A0}note", ["2505.00001"]),
  ])
  func lineFormsAccepted(line: String, ids: [String]) throws {
    let contents = try Self.parse(line + "\n")
    #expect(contents.identifiers.map(\.id) == ids)
    #expect(contents.invalidLines.isEmpty)
  }

  @Test func invalidPartsReportedWithLines() throws {
    let text = "2505.01049, foo, 2505.00725\n2505.00733 [cs.LG] 9912.00001\nnot an id\n"
    let contents = try Self.parse(text)

    #expect(contents.identifiers.map(\.id) == ["2505.01049", "2505.00725", "2505.00733"])
    #expect(contents.invalidLines.map(\.line) == [1, 2, 3])
    #expect(contents.invalidLines.map(\.text) == ["foo", "9912.00001", "not an id"])
    #expect(contents.invalidLines.map(\.isPartOfLine) == [true, true, false])
    let report = try #require(FeedbackInput.invalidIDReport(for: contents, source: "ids.txt"))
    #expect(
      report.hasPrefix(
        """
        Skipped 3 ids or lines of 'ids.txt' that are not valid arXiv ids:
          line 1: 'foo' (part of the line)
          line 2: '9912.00001' (part of the line) because new-style ids (YYMM.NNNNN) start at \
        0704 (April 2007), so its YYMM 9912 would be the month 2099-12, which is in the future
          line 3: 'not an id'
        Accepted forms: 
        """))
  }

  @Test func wordsAfterCategoryAreInvalid() throws {
    let contents = try Self.parse("2505.00733 [cs.LG] 1 Mayday 2025\n")
    #expect(contents.identifiers.map(\.id) == ["2505.00733"])
    #expect(contents.invalidLines.map(\.text) == ["1", "Mayday", "2025"])
  }

  @Test(arguments: [
    ("2505.00733 [cs.LG] 1 Septe 2025", ["1", "Septe", "2025"]),
    ("2505.00733 [cs.LG] 1 Ma. 2025", ["1", "Ma.", "2025"]),
    ("2505.00733 [cs.LG, 2505.00734 x]", ["[cs.LG", "x]"]),
    ("2505.00733 [cs.LG, stat.ML", ["[cs.LG", "stat.ML"]),
  ])
  func wordsAfterIdInvalid(line: String, invalid: [String]) throws {
    let contents = try Self.parse(line + "\n")
    #expect(contents.invalidLines.map(\.text) == invalid)
  }

  /// Unicode spaces separate ids, so a line without any id is quoted whole,
  /// and the characters that do not show are written as code points.
  @Test func hiddenCharactersShownAsCodePoints() throws {
    let contents = try Self.parse("2505.0001\u{A0}[cs.LG]\n2505.\u{AD}00013\n")

    #expect(contents.identifiers.isEmpty)
    let report = try #require(FeedbackInput.invalidIDReport(for: contents, source: "ids.txt"))
    #expect(
      report.hasPrefix(
        """
        Skipped 2 lines of 'ids.txt' that are not valid arXiv ids:
          line 1: '2505.0001<U+00A0>[cs.LG]' because its number 0001 has 4 digits, but ids \
        of the months from 1501 (January 2015) on have 5
          line 2: '2505.<U+00AD>00013'
        Accepted forms: 
        """))
    #expect(
      report.hasSuffix(
        " Copy the id from the paper's arXiv page. A mark such as <U+00A0> stands for a character that does not show or looks like a "
          + "space. Replace it with a space or delete it."))
  }

  @Test func bracketWithoutIdIsInvalid() throws {
    let contents = try Self.parse("[cs.LG] 2505.00733\n")
    #expect(contents.identifiers.map(\.id) == ["2505.00733"])
    #expect(contents.invalidLines.map(\.text) == ["[cs.LG]"])
  }

  @Test func lineWithoutIdKeepsItsRejection() throws {
    let contents = try Self.parse("0612.1234 [cs.LG]\n")
    let line = try #require(contents.invalidLines.first)
    #expect(contents.invalidLines.count == 1)
    #expect(line.text == "0612.1234 [cs.LG]")
    #expect(!line.isPartOfLine)
    #expect(line.rejection?.reason.contains("before 0704") == true)
  }

  @Test(arguments: [
    ("eprint = {9901001}, primaryClass = {hep-th}", "hep-th/9901001", nil),
    ("eprint = {9901001v2}, primaryClass = {hep-th}", "hep-th/9901001", 2),
    ("eprint = {0309136}, primaryClass = {math.GT}", "math/0309136", nil),
    (
      "eprint = {0102003}, archivePrefix = {arXiv}, primaryClass = {cond-mat.stat-mech}",
      "cond-mat/0102003", nil
    ),
    ("eprint = {hep-th/9901001}, primaryClass = {hep-th}", "hep-th/9901001", nil),
    ("eprint = {2505.00733}, primaryClass = {cs.LG}", "2505.00733", nil),
    ("eprint = {arXiv:9901004}, primaryClass = {gr-qc}", "gr-qc/9901004", nil),
    ("eprint = {ARXIV:9901004v2}, primaryClass = {gr-qc}", "gr-qc/9901004", 2),
    ("eprint = {2505.00146 [cs.LG]}", "2505.00146", nil),
    ("eprint = {arXiv:2505.00146v3\u{A0}[cs.LG]}", "2505.00146", 3),
  ])
  func bibTeXOldStyleNumberTakesArchive(fields: String, id: String, version: Int?) throws {
    let contents = try Self.parse("@misc{key,\n  \(fields)\n}\n")
    let identifier = try #require(contents.identifiers.first)
    #expect(identifier.id == id)
    #expect(identifier.version == version)
    #expect(contents.skippedEntries.isEmpty)
  }

  @Test(arguments: [
    (
      "eprint = {9901001}",
      "invalid eprint '9901001' because an old-style number needs its "
        + "archive, as in primaryClass = {hep-th}"
    ),
    (
      "eprint = {arXiv:9901004}",
      "invalid eprint 'arXiv:9901004' because an old-style number needs its "
        + "archive, as in primaryClass = {hep-th}"
    ),
    (
      "eprint = {9901001}, primaryClass = {physics-xx}",
      "invalid eprint '9901001' because primaryClass = {physics-xx} names no archive of "
        + "old-style ids, such as hep-th or math"
    ),
    (
      "eprint = {9913001}, primaryClass = {hep-th}",
      "invalid eprint '9913001' because its YYMM 9913 is not a month from 9107 to 0703, the "
        + "span of old-style ids"
    ),
    (
      "eprint = {2505.0014 [cs.LG]}",
      "invalid eprint '2505.0014' because its number 0014 has 4 digits, but ids of the months "
        + "from 1501 (January 2015) on have 5"
    ),
    (
      "eprint = {2505.\u{200B}00146}",
      "invalid eprint '2505.<U+200B>00146' because it is in none of the forms listed below"
    ),
  ])
  func bibTeXOldStyleNumberWithoutArchiveSkipped(fields: String, problem: String) throws {
    let contents = try Self.parse("@misc{key,\n  \(fields)\n}\n")
    #expect(contents.identifiers.isEmpty)
    #expect(contents.skippedEntries.map(\.problem) == [problem])
  }

  @Test func unlikeFromFileRemovesItsIds() throws {
    try FeedbackCommandTests.withOfflineHome { server, home in
      let papersift = try PaperSiftProcess(home: home)
      _ = try papersift.run(["like", "2505.01136", "2505.01197", "hep-th/9901001"])
      let file = try TestFiles.write(
        "2505.01136, 2505.00001 # the first was wrong\nfoo\n"
          + "@misc{x, eprint = {9901001}, primaryClass = {hep-th}}\n",
        named: "wrong.txt", in: home)
      let bib = try TestFiles.write(
        "@misc{x, eprint = {9901001}, primaryClass = {hep-th}}\n", named: "wrong.bib", in: home)
      let list = try TestFiles.write(
        "2505.01136, 2505.00001 # the first was wrong\nfoo\n", named: "list.txt", in: home)

      let fromList = try papersift.run(["unlike", "--from", list.path])
      let fromBib = try papersift.run(["unlike", "--from", bib.path])
      let none = try papersift.run(["unlike", "--from", file.path])

      #expect(fromList.status == 1, "stderr: \(fromList.errorOutput)")
      #expect(fromList.output == "2505.01136: removed\n2505.00001: had no feedback\n")
      #expect(
        fromList.errorOutput.contains(
          "error: Skipped 1 line of '\(list.path)' that is not a valid arXiv id:\n"
            + "  line 2: 'foo'\n"), "stderr: \(fromList.errorOutput)")
      #expect(fromList.errorOutput.contains("The feedback on the other ids was removed."))
      #expect(fromBib.status == 0, "stderr: \(fromBib.errorOutput)")
      #expect(fromBib.output == "hep-th/9901001: removed\n")
      // In a file with an entry, the lines outside entries that contain
      // ids are read too, while other text, such as foo, is a comment.
      #expect(none.status == 0, "stderr: \(none.errorOutput)")
      #expect(
        none.output
          == "2505.01136: had no feedback\n2505.00001: had no feedback\n"
          + "hep-th/9901001: had no feedback\n")
      let remaining = try FeedbackStore(
        database: Database(path: home.appendingPathComponent("papersift.sqlite").path)
      ).entries()
      #expect(remaining.map(\.paperId) == ["2505.01197"])
      #expect(server.requests.count == 1)
    }
  }
}
