import Foundation
import Testing

@testable import PaperSiftKit

/// The arXiv look-ups of feedback: their limits, the API's error entries,
/// pending reasons and the look-up of `fetch`, against loopback servers.
@Suite struct FeedbackLookupTests {
  /// Returns the API's error response for `id`, in the form of
  /// export.arxiv.org's error entries.
  static func errorFeed(for id: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom">
      <title>ArXiv Query: id_list=\(id)</title>
      <entry>
        <id>http://arxiv.org/api/errors#incorrect_id_format_for_\(id)</id>
        <title>Error</title>
        <summary>incorrect id format for \(id)</summary>
      </entry>
    </feed>
    """
  }

  /// Returns an API response with one entry for `id`, an id that the
  /// bundled feeds do not contain.
  static func paperFeed(id: String, title: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry>
        <id>http://arxiv.org/abs/\(id)v1</id>
        <title>\(title)</title>
        <summary>An abstract.</summary>
        <author><name>Ada Lovelace</name></author>
        <arxiv:primary_category term="cs.LG"/>
      </entry>
    </feed>
    """
  }

  /// Returns the `id_list` of a recorded request path.
  static func idList(_ path: String) -> String {
    let query = path.split(separator: "?").dropFirst().first ?? ""
    let item = query.split(separator: "&").first { $0.hasPrefix("id_list=") } ?? ""
    return String(item.dropFirst("id_list=".count))
  }

  /// An arXiv API that rejects 2505.77777 with an error entry and returns
  /// the bundled papers of 2025-05-05 for any other request.
  static func rejectingAPI() throws -> LoopbackHTTPServer {
    let atom = try Data(contentsOf: try TestFiles.feed("atom-id_list-2025-05-05.xml"))
    return try LoopbackHTTPServer { request in
      idList(request.path).contains("2505.77777")
        ? .text(errorFeed(for: "2505.77777")) : ScriptedResponse(body: atom)
    }
  }

  static func writeConfig(_ json: String, in home: URL) throws {
    try Data(json.utf8).write(to: home.appendingPathComponent("config.json"))
  }

  /// Points the feed and the API of `home` at `server`, one attempt each.
  static func configureFetch(_ home: URL, server: LoopbackHTTPServer) throws {
    try writeConfig(
      #"{"fetch": {"rssBaseURL": "\#(server.baseURL)/rss", "apiBaseURL": "\#(server.baseURL)/api", "#
        + #""maxAttempts": 1, "lookupMaxAttempts": 1}}"#, in: home)
  }

  static func database(_ home: URL) throws -> Database {
    try Database(path: home.appendingPathComponent("papersift.sqlite").path)
  }

  static func feedbackIds(_ home: URL) throws -> [String] {
    try FeedbackStore(database: database(home)).entries().map(\.paperId)
  }

  @Test func lookupLimitsForUserAndJob() throws {
    let user = try ArxivAPIClient(settings: FetchSettings(), for: .user)
    let job = try ArxivAPIClient(settings: FetchSettings())
    #expect(user.requestTimeout == 15)
    #expect(user.retryPolicy.maxAttempts == 2)
    #expect(user.connectTimeout == 10)
    #expect(job.requestTimeout == 60)
    #expect(job.retryPolicy.maxAttempts == 4)

    var settings = FetchSettings()
    settings.lookupTimeoutSeconds = 4
    settings.lookupMaxAttempts = 3
    let short = try ArxivAPIClient(settings: settings, for: .user)
    #expect(short.requestTimeout == 4)
    #expect(short.connectTimeout == 4)
    #expect(short.retryPolicy.maxAttempts == 3)
  }

  @Test(arguments: [
    (#"{"fetch": {"lookupTimeoutSeconds": 0}}"#, "fetch.lookupTimeoutSeconds"),
    (#"{"fetch": {"lookupMaxAttempts": 0}}"#, "fetch.lookupMaxAttempts"),
    (#"{"fetch": {"lookupMaxAttempts": 1.5}}"#, "fetch.lookupMaxAttempts"),
  ])
  func invalidLookupSettingRejected(json: String, key: String) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try Self.writeConfig(json, in: home)

    let result = try PaperSiftProcess(home: home).run(["like", "2505.01136"])

    #expect(result.status == 2, "stderr: \(result.errorOutput)")
    #expect(result.errorOutput.contains(key), "stderr: \(result.errorOutput)")
    #expect(try Self.feedbackIds(home).isEmpty)
  }

  @Test func silentAPIGivesUpAfterLookupLimits() throws {
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: Data(), delay: 8) }
    defer { server.stop() }
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    // fetch.maxAttempts and requestTimeoutSeconds are for jobs; like ignores them.
    try Self.writeConfig(
      #"{"fetch": {"apiBaseURL": "\#(server.baseURL)/api", "lookupTimeoutSeconds": 1, "#
        + #""lookupMaxAttempts": 2, "maxAttempts": 5, "requestTimeoutSeconds": 30}}"#, in: home)

    let started = Date()
    let result = try PaperSiftProcess(home: home).run(["like", "2505.01136"])
    let elapsed = Date().timeIntervalSince(started)

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.output == "2505.01136: liked (pending: the arXiv look-up failed)\n")
    #expect(result.errorOutput.contains("failed after 2 attempts (fetch.lookupMaxAttempts)"))
    #expect(result.errorOutput.contains("fetch.lookupTimeoutSeconds sets that limit (now 1 s)"))
    #expect(server.requests.count == 2)
    // Two attempts of 1 s, 1.5 to 3 s apart, well below one attempt of 30 s.
    #expect(elapsed < 15, "took \(elapsed) s")
    #expect(try Self.feedbackIds(home) == ["2505.01136"])
  }

  @Test func errorEntryRejectsOnlyItsId() throws {
    let server = try Self.rejectingAPI()
    defer { server.stop() }
    let client = ArxivAPIClient(baseURL: server.baseURL + "/api", spacing: 0.1)

    let result = try client.lookUpPapers(ids: ["2505.01136", "2505.77777", "2505.01197v1"])

    #expect(result.papers.map(\.id) == ["2505.01136", "2505.01197"])
    #expect(result.rejected == ["2505.77777": "incorrect id format for 2505.77777"])
    #expect(
      server.requests.map { Self.idList($0.path) } == [
        "2505.01136,2505.77777,2505.01197", "2505.01136,2505.01197",
      ])
  }

  @Test func errorEntryOfNoRequestedIdFails() throws {
    let server = try LoopbackHTTPServer { _ in .text(Self.errorFeed(for: "9999.99999")) }
    defer { server.stop() }
    let client = ArxivAPIClient(baseURL: server.baseURL + "/api", spacing: 0.1)

    let error = #expect(throws: PaperSiftError.self) {
      try client.lookUpPapers(ids: ["2505.01136"])
    }

    #expect(error?.code == .network)
    #expect(
      error?.message
        == "The arXiv API rejected the look-up of 1 id: incorrect id format for 9999.99999. "
        + "Check fetch.apiBaseURL; it must be the URL of the arXiv API, such as the default "
        + "https://export.arxiv.org/api/query.")
    #expect(server.requests.count == 1)
  }

  @Test func importedErrorFileStillRejected() throws {
    let error = #expect(throws: PaperSiftError.self) {
      try FeedReader.parse(Data(Self.errorFeed(for: "2505.77777").utf8), source: "saved.xml")
    }
    #expect(error?.code == .invalidInput)
    #expect(
      error?.message
        == "The arXiv API reported an error in 'saved.xml': incorrect id format for "
        + "2505.77777. Check the requested ids.")
  }

  @Test func likeOfRejectedIdStoresNothing() throws {
    let server = try Self.rejectingAPI()
    defer { server.stop() }
    let home = try FeedbackCommandTests.home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(["like", "2505.77777", "2505.01136"])

    #expect(result.status == 1, "stderr: \(result.errorOutput)")
    #expect(result.output == "2505.01136: liked\n")
    #expect(
      result.errorOutput.contains(
        "error: 2505.77777: arXiv rejected the id (incorrect id format for 2505.77777), so "
          + "nothing stored. Check the id."), "stderr: \(result.errorOutput)")
    #expect(!result.errorOutput.contains("pending"))
    #expect(try Self.feedbackIds(home) == ["2505.01136"])
  }

  @Test func pendingRejectedIdRemoved() throws {
    let atom = Data(Self.errorFeed(for: "2505.77777").utf8)
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let (server, online) = try FeedbackCommandTests.switchableAPI(sending: atom, home: home)
    defer { server.stop() }
    let papersift = try PaperSiftProcess(home: home)

    let (offline, again) = try FeedbackCommandTests.likeOffline(
      "2505.77777", thenRun: ["dislike", "2505.77777"], papersift: papersift, online: online)

    #expect(offline.output == "2505.77777: liked (pending: the arXiv look-up failed)\n")
    #expect(again.status == 1, "stderr: \(again.errorOutput)")
    #expect(again.output == "")
    #expect(
      again.errorOutput.contains(
        "error: 2505.77777: arXiv rejected the id (incorrect id format for 2505.77777), so "
          + "its pending feedback was removed. Check the id."), "stderr: \(again.errorOutput)")
    #expect(try Self.feedbackIds(home).isEmpty)
  }

  @Test func earlierRejectedIdOnlyNoted() throws {
    let atom = try Data(contentsOf: try TestFiles.feed("atom-id_list-2025-05-05.xml"))
    let online = FeedbackCommandTests.Switch()
    let server = try LoopbackHTTPServer { request in
      guard online.isOn else { return .text("down", status: 503) }
      return Self.idList(request.path).contains("2505.77777")
        ? .text(Self.errorFeed(for: "2505.77777")) : ScriptedResponse(body: atom)
    }
    defer { server.stop() }
    let home = try FeedbackCommandTests.home(server: server)
    defer { try? FileManager.default.removeItem(at: home) }
    let papersift = try PaperSiftProcess(home: home)

    let (_, next) = try FeedbackCommandTests.likeOffline(
      "2505.77777", thenRun: ["like", "2505.01136"], papersift: papersift, online: online)

    #expect(next.status == 0, "stderr: \(next.errorOutput)")
    #expect(next.output == "2505.01136: liked\n")
    #expect(
      next.errorOutput.contains(
        "note: 2505.77777: arXiv rejected the id (incorrect id format for 2505.77777), so its "
          + "pending feedback was removed. Check the id.\n"), "stderr: \(next.errorOutput)")
    #expect(!next.errorOutput.contains("error:"))
    #expect(try Self.feedbackIds(home) == ["2505.01136"])
  }

  @Test func pendingLikesExplainWhy() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let empty = Data(FeedbackCommandTests.emptyAtom.utf8)
    let (server, online) = try FeedbackCommandTests.switchableAPI(sending: empty, home: home)
    defer { server.stop() }
    let papersift = try PaperSiftProcess(home: home)
    _ = try papersift.run(["like", "2505.01136"])
    let failed = try papersift.run(["likes", "--json"])
    online.isOn = true
    _ = try papersift.run(["like", "2505.01136"])
    let missed = try papersift.run(["likes", "--json"])
    let listed = try papersift.run(["likes"])

    let before = try #require(
      JSONSerialization.jsonObject(with: Data(failed.output.utf8)) as? [[String: Any]])
    #expect(before.first?["lookupMissDays"] as? Int == 0)
    #expect(before.first?["lastLookupMiss"] == nil)
    #expect(
      before.first?["pendingReason"] as? String
        == "not fetched yet: no arXiv look-up has returned the paper, because the look-ups so "
        + "far failed or none ran since the feedback was given")
    let after = try #require(
      JSONSerialization.jsonObject(with: Data(missed.output.utf8)) as? [[String: Any]])
    let today = FeedbackInput.utcDay(Date())
    #expect(after.first?["lookupMissDays"] as? Int == 1)
    #expect(after.first?["lastLookupMiss"] as? String == today)
    #expect(
      after.first?["pendingReason"] as? String
        == "arXiv returned no paper for the id on 1 day, the last \(today); the feedback is "
        + "removed when look-ups on 3 days find nothing")
    #expect(listed.output.hasSuffix("(pending: arXiv returned no paper on 1 of 3 days)\n"))
  }

  @Test func resolvedLikeHasNoPendingKeys() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let atom = try Data(contentsOf: try TestFiles.feed("atom-id_list-2025-05-05.xml"))
    let (server, online) = try FeedbackCommandTests.switchableAPI(sending: atom, home: home)
    defer { server.stop() }
    online.isOn = true
    let papersift = try PaperSiftProcess(home: home)
    _ = try papersift.run(["like", "2505.01136"])

    let listed = try papersift.run(["likes", "--json"])

    let items = try #require(
      JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
    #expect(items.first?["pending"] as? Bool == false)
    #expect(items.first?["title"] != nil)
    #expect(items.first?["pendingReason"] == nil)
    #expect(items.first?["lookupMissDays"] == nil)
  }

  @Test func fetchResolvesPendingFeedback() throws {
    let rss = try Data(contentsOf: try TestFiles.feed(TestFiles.rssDay))
    let online = FeedbackCommandTests.Switch()
    let server = try LoopbackHTTPServer { request in
      if request.path.hasPrefix("/rss/") { return ScriptedResponse(body: rss) }
      guard online.isOn else { return .text("down", status: 503) }
      let ids = Self.idList(request.path)
      if ids.contains("2505.77777") { return .text(Self.errorFeed(for: "2505.77777")) }
      return .text(Self.paperFeed(id: "2505.00001", title: "Found by the look-up"))
    }
    defer { server.stop() }
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try Self.configureFetch(home, server: server)
    let papersift = try PaperSiftProcess(home: home)
    // 2505.01136 is in the feed, 2505.00001 only in the API, 2505.00002 in
    // neither, and the API rejects 2505.77777.
    let liked = try papersift.run([
      "like", "2505.01136", "2505.00001", "2505.00002", "2505.77777",
    ])
    #expect(liked.output.components(separatedBy: "(pending: ").count == 5)

    online.isOn = true
    let fetched = try papersift.run(["fetch"])

    #expect(fetched.status == 0, "stderr: \(fetched.errorOutput)")
    #expect(fetched.output.hasPrefix("cs.LG+cs.AI feed: stored 176 papers of 2025-05-05"))
    let lookups = server.requests.filter { $0.path.hasPrefix("/api") }.map {
      Self.idList($0.path)
    }
    // The offline like, then the look-up of fetch without the paper of the feed.
    #expect(
      lookups == [
        "2505.01136,2505.00001,2505.00002,2505.77777", "2505.00001,2505.00002,2505.77777",
        "2505.00001,2505.00002",
      ])
    #expect(
      fetched.errorOutput.contains(
        "note: looked up pending feedback; found 2505.00001, so that feedback counts now.\n"))
    #expect(
      fetched.errorOutput.contains(
        "note: feedback stays pending (arXiv returned no paper yet): 2505.00002. The next "
          + "fetch, run or like looks the papers up again.\n"))
    #expect(
      fetched.errorOutput.contains(
        "note: 2505.77777: arXiv rejected the id: incorrect id format for 2505.77777, so its "
          + "pending feedback was removed. Check the id.\n"), "stderr: \(fetched.errorOutput)")
    let entries = try FeedbackStore(database: Self.database(home)).entries()
    #expect(entries.map(\.paperId) == ["2505.01136", "2505.00001", "2505.00002"])
    #expect(entries.map(\.isPending) == [false, false, true])
    #expect(entries[1].title == "Found by the look-up")
    #expect(entries[2].lookupMissDays == 1)
  }

  @Test func fetchWithAPIDownKeepsPending() throws {
    let rss = try Data(contentsOf: try TestFiles.feed(TestFiles.rssDay))
    let server = try LoopbackHTTPServer { request in
      request.path.hasPrefix("/rss/")
        ? ScriptedResponse(body: rss) : .text("down", status: 503)
    }
    defer { server.stop() }
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try Self.configureFetch(home, server: server)
    let papersift = try PaperSiftProcess(home: home)
    _ = try papersift.run(["like", "2505.00002"])

    let fetched = try papersift.run(["fetch"])

    #expect(fetched.status == 0, "stderr: \(fetched.errorOutput)")
    #expect(
      fetched.errorOutput.contains(
        "note: feedback stays pending (the arXiv look-up failed: The arXiv API look-up of 1 "
          + "id failed after 1 attempt (fetch.maxAttempts): "), "stderr: \(fetched.errorOutput)")
    #expect(try FeedbackStore(database: Self.database(home)).pendingIds() == ["2505.00002"])
  }
}
