import Foundation
import Testing

@testable import PaperSiftKit

/// `papersift like` as a user runs it, against a loopback arXiv API.
@Suite struct FeedbackCommandTests {
  /// A switch the test flips to take the fake arXiv API on line.
  final class Switch: @unchecked Sendable {
    private let lock = NSLock()
    private var on = false

    var isOn: Bool {
      get { lock.withLock { on } }
      set { lock.withLock { on = newValue } }
    }
  }

  @Test func earlierPendingLikeResolvedByNextLike() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let atom = try Data(contentsOf: try TestFiles.feed("atom-id_list-2025-05-05.xml"))
    let (server, online) = try Self.switchableAPI(sending: atom, home: home)
    defer { server.stop() }
    let papersift = try PaperSiftProcess(home: home)

    let offline = try papersift.run(["like", "2505.01136"])
    #expect(offline.status == 0, "stderr: \(offline.errorOutput)")
    #expect(offline.output == "2505.01136: liked (pending: the arXiv look-up failed)\n")
    #expect(offline.errorOutput.contains("stored as pending"))
    let pendingJSON = try papersift.run(["likes", "--json"])
    let items = try #require(
      JSONSerialization.jsonObject(with: Data(pendingJSON.output.utf8)) as? [[String: Any]])
    #expect(items.count == 1)
    #expect(items.first?["pending"] as? Bool == true)
    #expect(items.first?["label"] as? Int == 1)
    #expect(items.first?["title"] == nil)

    online.isOn = true
    let next = try papersift.run(["like", "arXiv:2505.01197v1"])
    #expect(next.status == 0, "stderr: \(next.errorOutput)")
    #expect(next.output == "2505.01197: liked\n")
    #expect(next.errorOutput.contains("also looked up earlier pending feedback: 2505.01136"))
    #expect(!next.errorOutput.contains("stored as pending"))
    // One look-up asked for both papers.
    let query = try #require(server.requests.last?.path)
    #expect(query.contains("2505.01197"))
    #expect(query.contains("2505.01136"))

    let listed = try papersift.run(["likes"])
    #expect(!listed.output.contains("pending"), "likes: \(listed.output)")
  }

  /// An arXiv API response without entries, as the API can send under load.
  static let emptyAtom = """
    <?xml version="1.0" encoding="UTF-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom">
      <title>ArXiv Query: id_list=2505.01136</title>
      <updated>2025-05-05T00:00:00-04:00</updated>
    </feed>
    """

  @Test func emptyLookUpKeepsPendingLike() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let (server, online) = try Self.switchableAPI(sending: Data(Self.emptyAtom.utf8), home: home)
    defer { server.stop() }
    let papersift = try PaperSiftProcess(home: home)

    let (offline, again) = try Self.likeOffline(
      "2505.01136", thenRun: ["like", "2505.01136"], papersift: papersift, online: online)

    #expect(offline.status == 0, "stderr: \(offline.errorOutput)")
    #expect(again.status == 0, "stderr: \(again.errorOutput)")
    #expect(again.output == "2505.01136: already liked (pending: arXiv returned no paper yet)\n")
    #expect(
      again.errorOutput.contains(
        "arXiv returned no paper for these pending ids, so their feedback stays pending until "
          + "look-ups on 3 separate UTC days find nothing"))
    #expect(again.errorOutput.contains("days_without_paper=1"))
    #expect(!again.errorOutput.contains("nothing stored"))
    let listed = try papersift.run(["likes", "--json"])
    let items = try #require(
      JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
    #expect(items.count == 1)
    #expect(items.first?["pending"] as? Bool == true)
  }

  @Test func likeOnLastMissDayReportsRemoval() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let (server, online) = try Self.switchableAPI(sending: Data(Self.emptyAtom.utf8), home: home)
    defer { server.stop() }
    let papersift = try PaperSiftProcess(home: home)
    let databasePath = home.appendingPathComponent("papersift.sqlite").path

    let (_, again) = try Self.likeOffline(
      "2505.01136", thenRun: ["like", "2505.01136"], papersift: papersift, online: online
    ) {
      // Look-ups on two earlier days found nothing, so today's is the third.
      try Database(path: databasePath).run(
        "UPDATE feedback SET lookup_miss_days = 2, last_lookup_miss = '2000-01-02'", [])
    }

    let database = try Database(path: databasePath)
    #expect(again.status == 1, "stderr: \(again.errorOutput)")
    #expect(again.output == "")
    #expect(
      again.errorOutput.contains(
        "error: 2505.01136: arXiv returned no paper on 3 separate days, so the pending "
          + "feedback was removed. Check the id."), "stderr: \(again.errorOutput)")
    #expect(try database.scalar("SELECT COUNT(*) FROM feedback") == .integer(0))
  }

  @Test func htmlPageKeepsLikePending() throws {
    let server = try LoopbackHTTPServer { _ in
      .text(FeedResponseTests.loginPage, headers: [("Content-Type", "text/html; charset=utf-8")])
    }
    defer { server.stop() }
    let home = try Self.home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)

    let result = try papersift.run(["like", "2505.01136"])
    let pending = try FeedbackStore(
      database: Database(path: home.appendingPathComponent("papersift.sqlite").path)
    ).pendingIds()

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.output == "2505.01136: liked (pending: the arXiv look-up failed)\n")
    #expect(
      result.errorOutput.contains(
        "note: not in the database (the arXiv look-up failed: The server at "
          + "\(server.baseURL)/api?id_list=2505.01136&max_results=1 answered an HTML page "
          + "instead of an arXiv API Atom feed. Check fetch.apiBaseURL: it must be the URL of "
          + "an arXiv API Atom feed, such as the default https://export.arxiv.org/api/query."))
    #expect(!result.errorOutput.contains("Malformed XML"))
    #expect(pending == ["2505.01136"])
  }

  @Test func killedLookUpKeepsLike() throws {
    // The arXiv API holds the look-up open until the test releases it.
    let release = DispatchSemaphore(value: 0)
    let server = try LoopbackHTTPServer { _ in
      _ = release.wait(timeout: .now() + 60)
      return .text("late", status: 503)
    }
    defer { server.stop() }
    let home = try Self.home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }
    let started = try PaperSiftProcess(home: home).start(["like", "2505.01136"])
    let deadline = Date().addingTimeInterval(60)
    while server.requests.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }

    kill(started.0.processIdentifier, SIGKILL)
    _ = try PaperSiftProcess.finish(started)
    release.signal()

    #expect(!server.requests.isEmpty, "the look-up never reached the server")
    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    let pending = try FeedbackStore(database: database).pendingIds()
    #expect(pending == ["2505.01136"])
  }

  /// Starts an arXiv API server that is down (503) until `online` is set,
  /// then sends `body`, and points the configuration in `home` at it.
  static func switchableAPI(sending body: Data, home: URL) throws
    -> (LoopbackHTTPServer, Switch)
  {
    let online = Switch()
    let server = try LoopbackHTTPServer { _ in
      online.isOn
        ? ScriptedResponse(body: body)
        : .text("down", status: 503, headers: [("Retry-After", "0")])
    }
    let config = #"{"fetch": {"apiBaseURL": "\#(server.baseURL)/api", "lookupMaxAttempts": 1}}"#
    try Data(config.utf8).write(to: home.appendingPathComponent("config.json"))
    return (server, online)
  }

  /// Runs `papersift like id` while the fake arXiv API is down, then `whileOffline`,
  /// then turns the API on and runs `arguments`. Returns both results.
  static func likeOffline(
    _ id: String, thenRun arguments: [String], papersift: PaperSiftProcess, online: Switch,
    whileOffline: () throws -> Void = {}
  ) throws -> (offline: PaperSiftProcess.Result, online: PaperSiftProcess.Result) {
    let offline = try papersift.run(["like", id])
    try whileOffline()
    online.isOn = true
    return (offline, try papersift.run(arguments))
  }

  /// Creates a home folder whose configuration points the arXiv API at `server`.
  static func home(server: LoopbackHTTPServer) throws -> URL {
    let home = try TestFiles.temporaryFolder()
    let config = #"{"fetch": {"apiBaseURL": "\#(server.baseURL)/api", "lookupMaxAttempts": 1}}"#
    try Data(config.utf8).write(to: home.appendingPathComponent("config.json"))
    return home
  }

  /// Runs `body` with a home folder whose arXiv API is a loopback server
  /// that is down, so that every look-up fails at once.
  static func withOfflineHome(_ body: (LoopbackHTTPServer, URL) throws -> Void) throws {
    let server = try LoopbackHTTPServer { _ in
      .text("down", status: 503, headers: [("Retry-After", "0")])
    }
    defer { server.stop() }
    let home = try home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }
    try body(server, home)
  }

  @Test(arguments: [
    ["like", "foo/9901001"], ["dislike", "hep-th.GT/9901001"], ["unlike", "math/0313001"],
    ["like", "2501.00000"], ["like", "2500.19281"], ["like", "2513.19281"],
  ])
  func invalidIdRejected(arguments: [String]) throws {
    try Self.withOfflineHome { server, home in
      let result = try PaperSiftProcess(home: home).run(arguments)
      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(result.output.isEmpty)
      #expect(result.errorOutput.contains("Invalid arXiv id '\(arguments[1])'"))
      #expect(result.errorOutput.contains("Accepted forms: 2501.19281,"))
      #expect(server.requests.isEmpty)
    }
  }

  /// 9912 is December 2099, which is in the future on any day before
  /// November 2099, and a month of the old scheme as December 1999.
  @Test(arguments: [
    ["like", "9912.00001"], ["dislike", "https://arxiv.org/abs/9912.12345v1"],
  ])
  func oldSchemeMonthRejected(arguments: [String]) throws {
    try Self.withOfflineHome { server, home in
      let result = try PaperSiftProcess(home: home).run(arguments)
      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(result.output.isEmpty)
      #expect(
        result.errorOutput
          == "error: Invalid arXiv id '\(arguments[1])' because new-style ids (YYMM.NNNNN) "
          + "start at 0704 (April 2007), so its YYMM 9912 would be the month 2099-12, which is "
          + "in the future. Papers from before April 2007 have old-style ids, archive/YYMMNNN, "
          + "such as hep-th/9901001.\n")
      #expect(server.requests.isEmpty)
    }
  }

  @Test func invalidLinesSkippedOthersStored() throws {
    try Self.withOfflineHome { server, home in
      let text = "2505.01136\n9912.00001\n\n# a comment\nfoo\nhep-th/9901001\n0612.1234\n"
      let file = try TestFiles.write(text, named: "ids.txt", in: home)
      let papersift = try PaperSiftProcess(home: home)

      let result = try papersift.run(["like", "--from", file.path])
      let listed = try papersift.run(["likes"])

      #expect(result.status == 1, "stderr: \(result.errorOutput)")
      #expect(
        result.output
          == "2505.01136: liked (pending: the arXiv look-up failed)\n"
          + "hep-th/9901001: liked (pending: the arXiv look-up failed)\n")
      let report = try #require(
        result.errorOutput.components(separatedBy: "error: Skipped 3 lines of ").last)
      #expect(
        report == """
          '\(file.path)' that are not valid arXiv ids:
            line 2: '9912.00001' because new-style ids (YYMM.NNNNN) start at 0704 (April 2007), \
          so its YYMM 9912 would be the month 2099-12, which is in the future
            line 5: 'foo'
            line 7: '0612.1234' because its YYMM 0612 is before 0704 (April 2007), the first \
          month of new-style ids (YYMM.NNNNN)
          Accepted forms: \(ArxivIdentifier.acceptedForms). Papers from before April 2007 have \
          old-style ids, archive/YYMMNNN, such as hep-th/9901001.
          The other ids were stored. Fix the skipped ids and run the command again.

          """)
      let query = try #require(server.requests.last?.path)
      #expect(query.contains("id_list=2505.01136,hep-th/9901001&"))
      #expect(listed.output.contains("+ 2505.01136  "))
      #expect(listed.output.contains("+ hep-th/9901001  "))
      #expect(listed.output.split(separator: "\n").count == 2)
    }
  }

  @Test func fileOfInvalidLinesStoresNothing() throws {
    try Self.withOfflineHome { server, home in
      let file = try TestFiles.write("foo\n2513.00001\n", named: "ids.txt", in: home)
      let papersift = try PaperSiftProcess(home: home)

      let result = try papersift.run(["like", "--from", file.path])
      let listed = try papersift.run(["likes", "--json"])

      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(result.output.isEmpty)
      #expect(
        result.errorOutput.contains(
          "error: '\(file.path)' contains no valid arXiv id, so nothing was stored. Skipped 2 "
            + "lines of '\(file.path)' that are not valid arXiv ids:\n  line 1: 'foo'\n"
            + "  line 2: '2513.00001'\nAccepted forms: "))
      #expect(listed.output == "[]\n")
      #expect(server.requests.isEmpty)
    }
  }

  @Test func oldStyleIdLiked() throws {
    try Self.withOfflineHome { server, home in
      let result = try PaperSiftProcess(home: home).run([
        "like", "cond-mat/0703999", "math.GT/0309136",
      ])
      #expect(result.status == 0, "stderr: \(result.errorOutput)")
      #expect(
        result.output
          == "cond-mat/0703999: liked (pending: the arXiv look-up failed)\n"
          + "math/0309136: liked (pending: the arXiv look-up failed)\n")
      let query = try #require(server.requests.last?.path)
      #expect(query.contains("cond-mat/0703999"))
      #expect(query.contains("math/0309136"))
    }
  }

  @Test func bibTeXTakesOnlyEntryIds() throws {
    let atom = try Data(contentsOf: try TestFiles.feed(TestFiles.atomSample))
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: atom) }
    defer { server.stop() }
    let home = try Self.home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }
    let bib = try TestFiles.write(
      """
      @comment{ eprint = {2503.29999} }
      @article{good, eprint = {2505.01136}, archivePrefix = {arXiv}}
      @article{cites, note = {see arXiv:2503.20006}, url = {https://arxiv.org/abs/2505.01197}}
      @article{typo, eprint = {2503.2000}}
      @book{knuth84, title = {The TeXbook}}
      """, named: "refs.bib", in: home)

    let result = try PaperSiftProcess(home: home).run(["like", "--from", bib.path])
    #expect(result.status == 1, "stderr: \(result.errorOutput)")
    #expect(result.output == "2505.01136: liked\n2505.01197: liked\n")
    #expect(
      result.errorOutput.contains(
        "note: skipped 1 of 4 BibTeX entries in '\(bib.path)' that have no arXiv id: knuth84."))
    #expect(
      result.errorOutput.contains(
        "error: Skipped 1 BibTeX entry of '\(bib.path)' with an invalid arXiv id:\n"
          + "  typo, line 4: invalid eprint '2503.2000' because its number 2000 has 4 digits, "
          + "but ids of the months from 1501 (January 2015) on have 5\n"))
    #expect(
      result.errorOutput.hasSuffix(
        "The other ids were stored. Fix the skipped ids and run the command again.\n"))
    let query = try #require(server.requests.last?.path)
    #expect(!query.contains("2503.29999"))
    #expect(!query.contains("2503.20006"))
  }

  @Test func bibTeXMacrosExpanded() throws {
    let atom = try Data(contentsOf: try TestFiles.feed(TestFiles.atomSample))
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: atom) }
    defer { server.stop() }
    let home = try Self.home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }
    let bib = try TestFiles.write(
      """
      @string{ax = "https://arxiv.org/abs/"}
      @article{good, url = AX # "2505.01136", month = may}
      @article{undefined, url = abs # "2505.01197"}
      """, named: "refs.bib", in: home)

    let result = try PaperSiftProcess(home: home).run(["like", "--from", bib.path])
    #expect(result.status == 1, "stderr: \(result.errorOutput)")
    #expect(result.output == "2505.01136: liked\n")
    #expect(
      result.errorOutput.contains(
        "error: Skipped 1 BibTeX entry of '\(bib.path)' with an invalid arXiv id:\n"
          + "  undefined, line 3: url uses the undefined macro 'abs'\n"))
    #expect(!result.errorOutput.contains("note: skipped"))
  }

  @Test(
    arguments: [
      ("", nil), ("# only a comment\n\n", nil),
      (
        "@book{knuth84, title = {The TeXbook}}\n",
        "note: skipped 1 of 1 BibTeX entries in"
      ),
    ] as [(String, String?)])
  func fileWithoutIdRejected(text: String, note: String?) throws {
    try Self.withOfflineHome { server, home in
      let file = try TestFiles.write(text, named: "empty.txt", in: home)

      let result = try PaperSiftProcess(home: home).run(["like", "--from", file.path])
      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(result.errorOutput.contains("error: '\(file.path)' contains no arXiv id."))
      #expect(!result.errorOutput.contains("No arXiv id given"))
      if let note {
        #expect(result.errorOutput.contains(note))
        #expect(result.errorOutput.contains(": knuth84."))
      } else {
        #expect(!result.errorOutput.contains("note:"))
      }
      #expect(server.requests.isEmpty)
    }
  }

  @Test func folderRejected() throws {
    try Self.withOfflineHome { server, home in
      let result = try PaperSiftProcess(home: home).run(["like", "--from", home.path])
      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(result.errorOutput.contains("error: '\(home.path)' is a folder, not a file."))
      #expect(!result.errorOutput.contains("NSCocoaErrorDomain"))
      #expect(server.requests.isEmpty)
    }
  }

  @Test func binaryFileRejected() throws {
    try Self.withOfflineHome { server, home in
      let file = home.appendingPathComponent("papers.pdf")
      try Data(Array("%PDF-1.7\n".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]).write(to: file)

      let result = try PaperSiftProcess(home: home).run(["dislike", "--from", file.path])
      #expect(result.status == 2, "stderr: \(result.errorOutput)")
      #expect(
        result.errorOutput.contains(
          "error: '\(file.path)' is not a UTF-8 text file: byte 9 of 14 is invalid."))
      #expect(!result.errorOutput.contains("correct format"))
      #expect(server.requests.isEmpty)
    }
  }
}
