import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ArxivFeedClientTests {
  static func settings(server: LoopbackHTTPServer) -> FetchSettings {
    var settings = FetchSettings()
    settings.rssBaseURL = server.baseURL + "/rss/"
    settings.requestTimeoutSeconds = 5
    return settings
  }

  static let fastRetries = RetryPolicy(maxAttempts: 3, baseDelay: 0.05, maxDelay: 0.1)

  static func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: try TestFiles.feed(name))
  }

  @Test func feedIsFetchedInOneRequest() throws {
    let body = try Self.fixture(TestFiles.rssDay)
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: body) }
    defer { server.stop() }
    let client = ArxivFeedClient(settings: Self.settings(server: server))

    let document = try client.fetchToday(categories: ["cs.LG", "cs.AI"])

    #expect(document.papers.count == 182)
    #expect(document.date == "2025-05-05")
    #expect(server.requests.map(\.path) == ["/rss/cs.LG+cs.AI"])
    #expect(server.requests.first?.headers["user-agent"]?.hasPrefix("PaperSift/") == true)
  }

  @Test func emptyFeedHasNoPapers() throws {
    let body = try Self.fixture(TestFiles.rssEmpty)
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: body) }
    defer { server.stop() }
    let client = ArxivFeedClient(settings: Self.settings(server: server))

    let document = try client.fetchToday(categories: ["cs.LG"])

    #expect(document.papers.isEmpty)
    #expect(document.date == "2025-05-05")
    #expect(server.requests.map(\.path) == ["/rss/cs.LG"])
  }

  @Test func serviceUnavailableIsRetried() throws {
    let body = try Self.fixture(TestFiles.rssDay)
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.increment() == 1 ? .text("busy", status: 503) : ScriptedResponse(body: body)
    }
    defer { server.stop() }
    let client = ArxivFeedClient(
      settings: Self.settings(server: server), retryPolicy: Self.fastRetries)

    let document = try client.fetchToday(categories: ["cs.LG", "cs.AI"])

    #expect(document.papers.count == 182)
    #expect(server.requests.count == 2)
  }

  @Test func tooManyRequestsWaitsForRetryAfter() throws {
    let body = try Self.fixture(TestFiles.rssEmpty)
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.increment() == 1
        ? .text("slow down", status: 429, headers: [("Retry-After", "1")])
        : ScriptedResponse(body: body)
    }
    defer { server.stop() }
    let client = ArxivFeedClient(
      settings: Self.settings(server: server), retryPolicy: Self.fastRetries)

    _ = try client.fetchToday(categories: ["cs.LG"])

    let times = server.requests.map(\.receivedAt)
    try #require(times.count == 2)
    #expect(times[1].timeIntervalSince(times[0]) >= 0.95)
  }

  @Test func slowServerTimesOut() throws {
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: Data("late".utf8), delay: 2) }
    defer { server.stop() }
    var settings = Self.settings(server: server)
    settings.requestTimeoutSeconds = 0.3
    let client = ArxivFeedClient(
      settings: settings, retryPolicy: RetryPolicy(maxAttempts: 1))

    let error = #expect(throws: PaperSiftError.self) {
      try client.fetchToday(categories: ["cs.LG"])
    }

    #expect(error?.code == .network)
    #expect(error?.message.contains("timed out") == true)
    #expect(error?.message.contains(server.baseURL + "/rss/cs.LG") == true)
    #expect(
      error?.message.contains("fetch.requestTimeoutSeconds sets that limit (now 0.3 s)") == true)
  }

  @Test func truncatedDownloadIsNetworkError() throws {
    let body = try Self.fixture(TestFiles.rssDay)
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: body.prefix(body.count / 2)) }
    defer { server.stop() }
    let client = ArxivFeedClient(settings: Self.settings(server: server))

    let error = #expect(throws: PaperSiftError.self) {
      try client.fetchToday(categories: ["cs.LG", "cs.AI"])
    }

    #expect(error?.code == .network)
    #expect(error?.message.contains("\(server.baseURL)/rss/cs.LG+cs.AI does not parse") == true)
    #expect(error?.message.contains("Fetch again later") == true)
    #expect(
      error?.message.hasSuffix(
        "interrupted download or copy.) Nothing was imported. Fetch again later; if this "
          + "persists, check fetch.rssBaseURL.") == true, "\(error?.message ?? "")")
    #expect(error?.message.contains("export the file") == false)
  }

  @Test func notFoundIsNotRetried() throws {
    let server = try LoopbackHTTPServer { _ in .text("no such feed", status: 404) }
    defer { server.stop() }
    let client = ArxivFeedClient(
      settings: Self.settings(server: server), retryPolicy: Self.fastRetries)

    let error = #expect(throws: PaperSiftError.self) {
      try client.fetchToday(categories: ["cs.XX"])
    }

    #expect(error?.message.contains("HTTP status 404") == true)
    #expect(server.requests.count == 1)
  }

  @Test func fetchedDayIsStored() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let body = try Self.fixture(TestFiles.rssDay)
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: body) }
    defer { server.stop() }
    let store = PaperStore(database: try PaperStoreTests.openDatabase(in: folder))

    let (document, summary) = try ArxivFeedClient(settings: Self.settings(server: server))
      .fetchToday(into: store)

    #expect(document.papers.count == 182)
    #expect(summary.inserted == 176)
    #expect(summary.skippedReplacements == 6)
    #expect(try store.paperCount(announcedOn: "2025-05-05") == 176)
  }

  @Test func emptyDayStoresNothing() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let body = try Self.fixture(TestFiles.rssEmpty)
    let server = try LoopbackHTTPServer { _ in ScriptedResponse(body: body) }
    defer { server.stop() }
    let store = PaperStore(database: try PaperStoreTests.openDatabase(in: folder))

    let (document, summary) = try ArxivFeedClient(settings: Self.settings(server: server))
      .fetchToday(into: store)

    #expect(document.papers.isEmpty)
    #expect(summary == ImportSummary())
    #expect(try store.paperCount() == 0)
  }

  @Test func partialFetchSectionKeepsDefaults() throws {
    let json = #"{"fetch": {"categories": ["stat.ML"], "keepReplacements": true}}"#
    let settings = try JSONDecoder().decode(Configuration.self, from: Data(json.utf8)).fetch

    #expect(settings.categories == ["stat.ML"])
    #expect(settings.keepReplacements)
    #expect(settings.keepCrossLists)
    #expect(settings.rssBaseURL == "https://rss.arxiv.org/rss")
    #expect(settings.apiBaseURL == "https://export.arxiv.org/api/query")
    #expect(settings.requestTimeoutSeconds == 60)
    #expect(settings.keptAnnounceTypes == [.new, .unknown, .cross, .replace, .replaceCross])
    #expect(FetchSettings().keptAnnounceTypes == [.new, .unknown, .cross])
  }

  @Test(arguments: [
    ("requestTimeoutSeconds", 0.0, "Invalid fetch.requestTimeoutSeconds 0 "),
    ("connectTimeoutSeconds", -1.0, "Invalid fetch.connectTimeoutSeconds -1 "),
    ("maxAttempts", 0.0, "Invalid fetch.maxAttempts 0"),
  ])
  func unusableSettingsAreRejected(key: String, value: Double, message: String) throws {
    let server = try LoopbackHTTPServer { _ in .text("") }
    defer { server.stop() }
    var settings = Self.settings(server: server)
    switch key {
    case "requestTimeoutSeconds": settings.requestTimeoutSeconds = value
    case "connectTimeoutSeconds": settings.connectTimeoutSeconds = value
    default: settings.maxAttempts = Int(value)
    }

    let error = #expect(throws: PaperSiftError.self) {
      try ArxivFeedClient(settings: settings).fetchToday(categories: ["cs.LG"])
    }

    #expect(error?.code == .configuration)
    #expect(error?.message.hasPrefix(message) == true)
    #expect(server.requests.isEmpty)
  }

  @Test(arguments: [[String](), ["cs.LG", "cs.AI/../x"], ["cs LG"]])
  func invalidCategoriesAreRejected(categories: [String]) throws {
    let server = try LoopbackHTTPServer { _ in .text("") }
    defer { server.stop() }
    let client = ArxivFeedClient(settings: Self.settings(server: server))

    let error = #expect(throws: PaperSiftError.self) {
      try client.fetchToday(categories: categories)
    }

    #expect(error?.code == .invalidInput)
    #expect(server.requests.isEmpty)
  }
}

@Suite struct ArxivAPIClientTests {
  /// Returns an Atom response with one entry per id in the request's
  /// `id_list`, leaving out the ids in `unknown`.
  static func atomResponse(for request: RecordedRequest, unknown: Set<String> = []) -> String {
    let entries = requestedIDs(request).filter { !unknown.contains($0) }.map { id in
      """
      <entry>
        <id>http://arxiv.org/abs/\(id)v2</id>
        <published>2025-05-01T17:00:00Z</published>
        <title>Paper \(id)</title>
        <summary>Abstract of
      \(id).</summary>
        <author><name>Ana Lopez</name></author>
        <arxiv:primary_category term="cs.LG"/>
        <category term="cs.LG"/>
      </entry>
      """
    }
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      \(entries.joined(separator: "\n"))
      </feed>
      """
  }

  static func requestedIDs(_ request: RecordedRequest) -> [String] {
    let items = URLComponents(string: request.path)?.queryItems ?? []
    let list = items.first { $0.name == "id_list" }?.value ?? ""
    return list.split(separator: ",").map(String.init)
  }

  static func ids(_ count: Int) -> [String] {
    (1...count).map { String(format: "2505.%05d", $0) }
  }

  @Test func largeListIsSplitIntoSpacedBatches() throws {
    let server = try LoopbackHTTPServer { request in .text(Self.atomResponse(for: request)) }
    defer { server.stop() }
    let client = ArxivAPIClient(baseURL: server.baseURL + "/api/query", spacing: 0.5)

    let papers = try client.papers(ids: Self.ids(150))

    #expect(papers.map(\.id) == Self.ids(150))
    #expect(papers.first?.version == 2)
    #expect(papers.first?.abstract == "Abstract of 2505.00001.")
    let requests = server.requests
    #expect(requests.map { Self.requestedIDs($0).count } == [100, 50])
    #expect(requests.allSatisfy { $0.path.hasPrefix("/api/query?id_list=") })
    try #require(requests.count == 2)
    #expect(requests[1].receivedAt.timeIntervalSince(requests[0].receivedAt) >= 0.45)
  }

  @Test func defaultSpacingIsThreeSeconds() {
    let client = ArxivAPIClient()
    #expect(client.spacing == 3)
    #expect(client.baseURL == "https://export.arxiv.org/api/query")
    #expect(ArxivAPIClient.maxBatchSize == 100)
  }

  @Test func idsAreNormalisedAndDeduplicated() throws {
    let server = try LoopbackHTTPServer { request in .text(Self.atomResponse(for: request)) }
    defer { server.stop() }
    let client = ArxivAPIClient(baseURL: server.baseURL + "/api/query", spacing: 0.1)

    let papers = try client.papers(
      ids: ["2505.00001v1", "arXiv:2505.00001", "https://arxiv.org/abs/2505.00002v3"])

    #expect(papers.map(\.id) == ["2505.00001", "2505.00002"])
    #expect(server.requests.map(Self.requestedIDs) == [["2505.00001", "2505.00002"]])
  }

  @Test func unknownIdsAreLeftOut() throws {
    let server = try LoopbackHTTPServer { request in
      .text(Self.atomResponse(for: request, unknown: ["2505.00002"]))
    }
    defer { server.stop() }
    let client = ArxivAPIClient(baseURL: server.baseURL + "/api/query", spacing: 0.1)

    let papers = try client.papers(ids: Self.ids(3))

    #expect(papers.map(\.id) == ["2505.00001", "2505.00003"])
  }

  @Test func invalidIdIsRejectedBeforeRequest() throws {
    let server = try LoopbackHTTPServer { _ in .text("") }
    defer { server.stop() }
    let client = ArxivAPIClient(baseURL: server.baseURL + "/api/query", spacing: 0.1)

    let error = #expect(throws: PaperSiftError.self) {
      try client.papers(ids: ["2505.00001", "not-an-id"])
    }

    #expect(error?.message.contains("Invalid arXiv id 'not-an-id'") == true)
    #expect(server.requests.isEmpty)
  }

  @Test func tooManyRequestsHonoursRetryAfter() throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { request in
      calls.increment() == 1
        ? .text("slow down", status: 429, headers: [("Retry-After", "1")])
        : .text(Self.atomResponse(for: request))
    }
    defer { server.stop() }
    let client = ArxivAPIClient(baseURL: server.baseURL + "/api/query", spacing: 0.1)

    let papers = try client.papers(ids: Self.ids(2))

    #expect(papers.count == 2)
    let times = server.requests.map(\.receivedAt)
    try #require(times.count == 2)
    #expect(times[1].timeIntervalSince(times[0]) >= 0.95)
  }

  @Test func persistentFailureGivesClearError() throws {
    let server = try LoopbackHTTPServer { _ in .text("down for maintenance", status: 503) }
    defer { server.stop() }
    let client = ArxivAPIClient(
      baseURL: server.baseURL + "/api/query", spacing: 0.3,
      retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02))

    let error = #expect(throws: PaperSiftError.self) { try client.papers(ids: Self.ids(5)) }

    #expect(error?.code == .network)
    #expect(
      error?.message.contains("The arXiv API look-up of 5 ids failed after 3 attempts") == true)
    #expect(error?.message.contains("HTTP status 503") == true)
    let times = server.requests.map(\.receivedAt)
    #expect(times.count == 3)
    for (earlier, later) in zip(times, times.dropFirst()) {
      #expect(later.timeIntervalSince(earlier) >= 0.25)
    }
  }

  /// A 404 is not retried, so the message does not blame the limit of
  /// attempts, which would have allowed one more.
  @Test func unretriedErrorNamesNoAttemptLimit() throws {
    let server = try LoopbackHTTPServer { _ in .text("no such page", status: 404) }
    defer { server.stop() }
    var settings = FetchSettings()
    settings.apiBaseURL = server.baseURL + "/api/query"
    settings.lookupMaxAttempts = 2
    let client = try ArxivAPIClient(settings: settings, for: .user)

    let error = #expect(throws: PaperSiftError.self) {
      try client.papers(ids: ["2505.00001"])
    }

    #expect(error?.code == .network)
    #expect(
      error?.message.hasPrefix(
        "The arXiv API look-up of 1 id failed after 1 attempt, because the error is not "
          + "retried: Request to \(server.baseURL)/api/query?id_list=2505.00001&max_results=1 "
          + "failed with HTTP status 404") == true, "message: \(error?.message ?? "")")
    #expect(error?.message.contains("lookupMaxAttempts") == false)
    #expect(server.requests.count == 1)
  }
}
