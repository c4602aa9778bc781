import Foundation
import Testing

@testable import PaperSiftKit

/// A `Retry-After` longer than the configured limit fails the request at
/// once, in every client, with a message that names the requested wait and
/// the setting that sets the limit.
@Suite struct RetryAfterLimitTests {
  /// The limits and waits tried: the default limit of 120 s against a wait
  /// of 600 s, and a limit of 1 s set in the configuration against 2 s.
  static let cases: [(limit: Double?, wait: Int)] = [(nil, 600), (1, 2)]

  /// Starts a server that responds to every request with HTTP 429 and `Retry-After: wait`.
  static func rateLimitingServer(wait: Int) throws -> LoopbackHTTPServer {
    try LoopbackHTTPServer { _ in
      .text("slow down", status: 429, headers: [("Retry-After", "\(wait)")])
    }
  }

  /// Returns the advice that every client gives for `wait` over `limit` seconds.
  static func advice(wait: Int, limit: Double?, setting: String) -> String {
    let limitText = limit.map { "\(Int($0)) s" } ?? "120 s"
    return "The server requested a wait of \(wait) s (Retry-After) before the next request, "
      + "more than the \(limitText) that \(setting) allows. Try again after that wait, or "
      + "raise \(setting) to let PaperSift wait that long."
  }

  /// The clients of servers other than the LLM's.
  enum Client: CaseIterable {
    case feed, arxivLookup, remoteEmbeddings
  }

  /// Sends one request with `client` to `server`, with the limit set to
  /// `limit` seconds in the configuration unless it is nil.
  static func send(_ client: Client, to server: LoopbackHTTPServer, limit: Double?) throws {
    switch client {
    case .feed:
      var settings = ArxivFeedClientTests.settings(server: server)
      if let limit { settings.maxRetryAfterSeconds = limit }
      _ = try ArxivFeedClient(settings: settings).fetchToday(categories: ["cs.LG"])
    case .arxivLookup:
      var settings = FetchSettings()
      settings.apiBaseURL = server.baseURL + "/api/query"
      if let limit { settings.maxRetryAfterSeconds = limit }
      _ = try ArxivAPIClient(settings: settings).papers(ids: ["2505.00001"])
    case .remoteEmbeddings:
      var settings = EmbeddingSettings()
      settings.remoteBaseURL = server.baseURL + "/v1"
      settings.remoteAPIKeyVariable = ""
      if let limit { settings.remoteMaxRetryAfter = limit }
      _ = try OpenAIEmbeddingsClient(settings: settings, environment: [:]).embed(["a", "b"])
    }
  }

  /// Returns the message that `client` throws for the 429 of `server`.
  static func expectedMessage(
    _ client: Client, server: LoopbackHTTPServer, wait: Int, limit: Double?
  ) -> String {
    let status = "failed with HTTP status 429: slow down. "
    switch client {
    case .feed:
      return "Unable to download the arXiv feed: Request to \(server.baseURL)/rss/cs.LG "
        + status + advice(wait: wait, limit: limit, setting: "fetch.maxRetryAfterSeconds")
    case .arxivLookup:
      return "The arXiv API look-up of 1 id failed after 1 attempt: "
        + "Request to \(server.baseURL)/api/query?id_list=2505.00001&max_results=1 " + status
        + advice(wait: wait, limit: limit, setting: "fetch.maxRetryAfterSeconds")
    case .remoteEmbeddings:
      return "The embeddings request for model 'text-embedding-3-small' failed. Request to "
        + "\(server.baseURL)/v1/embeddings " + status
        + advice(wait: wait, limit: limit, setting: "embedding.remoteMaxRetryAfter")
    }
  }

  @Test(
    arguments: [
      (429, 600.0, "", 600.0),
      (503, 600.0, "", 600.0),
      (429, 120.0, "", nil),
      (429, nil, "", nil),
      (404, 600.0, "", nil),
      (429, 600.0, #"{"error": {"code": "insufficient_quota"}}"#, nil),
    ] as [(Int, Double?, String, Double?)])
  func policyFindsExcessiveWait(status: Int, retryAfter: Double?, body: String, expected: Double?) {
    let error = HTTPError(
      kind: .status(status), url: "http://127.0.0.1:9/api", detail: "", retryAfter: retryAfter,
      body: Data(body.utf8))

    #expect(RetryPolicy().excessiveRetryAfter(error) == expected)
  }

  @Test(arguments: Client.allCases, cases)
  func clientStopsAtOnce(client: Client, limitAndWait: (limit: Double?, wait: Int)) throws {
    let (limit, wait) = limitAndWait
    let server = try Self.rateLimitingServer(wait: wait)
    defer { server.stop() }

    let error = #expect(throws: PaperSiftError.self) {
      try Self.send(client, to: server, limit: limit)
    }

    #expect(server.requests.count == 1)
    #expect(error?.code == .network)
    let expected = Self.expectedMessage(client, server: server, wait: wait, limit: limit)
    #expect(error?.message == expected)
  }

  @Test func llmLimitComesFromSettings() throws {
    let server = try FakeChatServer(replies: [], then: .rateLimited(retryAfter: 2))
    defer { server.stop() }
    var settings = ScoringFixtures.settings(for: server)
    settings.maxRetryAfter = 1
    let client = try ChatClient(settings: settings, environment: [:])

    let error = #expect(throws: ChatRequestError.self) {
      try client.complete([ChatMessage(role: "user", content: "hi")], maxOutputTokens: 10)
    }

    #expect(server.requests.count == 1)
    #expect(error?.kind == .retryAfterTooLong)
    let advice = Self.advice(wait: 2, limit: 1, setting: "llm.maxRetryAfter")
    #expect(error?.message.hasSuffix(advice) == true, "\(error?.message ?? "")")
    #expect(
      error?.stopReason
        == "the server at \(server.baseURL)/chat/completions "
        + advice.dropFirst("The server ".count))
  }

  @Test(arguments: [
    (#"{"fetch": {"maxRetryAfterSeconds": -1}}"#, "fetch.maxRetryAfterSeconds -1"),
    (#"{"llm": {"maxRetryAfter": 1e9}}"#, "llm.maxRetryAfter 1000000000"),
    (#"{"embedding": {"remoteMaxRetryAfter": -0.5}}"#, "embedding.remoteMaxRetryAfter -0.5"),
  ])
  func outOfRangeLimitIsNamed(json: String, named: String) {
    let error = #expect(throws: PaperSiftError.self) {
      try ConfigurationRangeTests.load(json)
    }

    #expect(error?.code == .configuration)
    #expect(error?.message.hasPrefix("Invalid \(named) on line 1 of the configuration") == true)
    #expect(error?.message.contains("from 0 and at most 86400") == true)
  }

  @Test func limitsDefaultTo120Seconds() throws {
    let configuration = try ConfigurationRangeTests.load("{}")

    #expect(configuration.fetch.maxRetryAfterSeconds == 120)
    #expect(configuration.llm.maxRetryAfter == 120)
    #expect(configuration.embedding.remoteMaxRetryAfter == 120)
    let zero = try ConfigurationRangeTests.load(#"{"llm": {"maxRetryAfter": 0}}"#)
    #expect(zero.llm.maxRetryAfter == 0)
  }
}
