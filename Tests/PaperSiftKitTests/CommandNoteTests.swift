import Foundation
import Testing

@testable import PaperSiftKit

/// Help texts and notes of `import` and `fetch`, checked through the
/// executable.
@Suite struct CommandNoteTests {
  /// Days imported out of order keep the later day's correction, and the
  /// older file imported again changes nothing, as `import --help` states.
  @Test func olderDayImportedAgainChangesNothing() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let older = try TestFiles.write(
      JSONLinesDayParserTests.line("2506.00101", title: "Sparse retrieval"),
      named: "2025-06-10.papers.jsonl", in: home)
    let newer = try TestFiles.write(
      JSONLinesDayParserTests.line("2506.00101", title: "Sparse retrieval (corrected)"),
      named: "2025-06-11.papers.jsonl", in: home)
    let papersift = try PaperSiftProcess(home: home)
    _ = try papersift.run(["import", older.path])
    _ = try papersift.run(["import", newer.path])

    let again = try papersift.run(["import", older.path])

    #expect(again.status == 0, "stderr: \(again.errorOutput)")
    #expect(
      again.output
        == "2025-06-10.papers.jsonl: stored 1 paper of 2025-06-10 (0 new, 0 updated, "
        + "1 unchanged).\n")
    let paper = try PaperStore(database: FeedbackLookupTests.database(home)).paper(
      id: "2506.00101")
    #expect(paper?.title == "Sparse retrieval (corrected)")
    #expect(paper?.announced == "2025-06-11")
  }

  @Test func fetchHelpNamesReplacementSetting() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let help = try PaperSiftProcess(home: home).run(["fetch", "--help"])

    #expect(help.status == 0)
    let flattened = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(
      flattened.contains(
        "--keep-replacements Also store replacements (new versions of older papers); default: "
          + "the fetch.keepReplacements setting, off unless configured."), "\(help.output)")
  }

  /// The note on feedback that stays pending names 10 ids and counts the rest.
  @Test func fetchNoteClipsLongIdList() throws {
    let rss = try Data(contentsOf: try TestFiles.feed(TestFiles.rssDay))
    let server = try LoopbackHTTPServer { request in
      request.path.hasPrefix("/rss/") ? ScriptedResponse(body: rss) : .text("down", status: 503)
    }
    defer { server.stop() }
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try FeedbackLookupTests.configureFetch(home, server: server)
    let papersift = try PaperSiftProcess(home: home)
    let ids = (1...12).map { String(format: "2505.9%04d", $0) }
    _ = try papersift.run(["like"] + ids)

    let fetched = try papersift.run(["fetch"])

    #expect(fetched.status == 0, "stderr: \(fetched.errorOutput)")
    let note = fetched.errorOutput.split(separator: "\n").first {
      $0.hasPrefix("note: feedback stays pending")
    }
    #expect(
      note?.hasSuffix(
        ": " + ids.prefix(10).joined(separator: ", ")
          + ", and 2 more. The next fetch, run or like looks the papers up again.") == true,
      "stderr: \(fetched.errorOutput)")
    #expect(try FeedbackStore(database: FeedbackLookupTests.database(home)).pendingIds() == ids)
  }
}
