import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct SecretRedactionTests {
  static let key = "sk-TRIAL-SECRET-\(UUID().uuidString)"
  static let password = "EMBPW-\(UUID().uuidString.prefix(8))"

  /// Returns `baseURL` with `embuser:<password>@` after the scheme.
  static func withCredentials(_ baseURL: String) -> String {
    baseURL.replacingOccurrences(of: "http://", with: "http://embuser:\(password)@")
  }

  /// Starts a server that responds to every request with `status` and a body that
  /// echoes the request's `Authorization` header, as some proxies do.
  static func echoingServer(status: Int) throws -> LoopbackHTTPServer {
    try LoopbackHTTPServer { request in
      let echoed = request.headers["authorization"] ?? ""
      return .json(
        #"{"error": {"message": "Incorrect API key provided: \#(echoed)"}}"#, status: status)
    }
  }

  @Test(arguments: [
    ("see http://u:pw@host:8/v1 now", "see http://host:8/v1 now"),
    ("https://user@example.org/x", "https://example.org/x"),
    ("no url here", "no url here"),
    ("mail a@b.org and http://h/p", "mail a@b.org and http://h/p"),
  ])
  func urlCredentialsAreRemoved(input: String, expected: String) {
    #expect(SecretRedaction.removingURLCredentials(from: input) == expected)
  }

  @Test func keyAndPasswordAreReplaced() {
    let redaction = SecretRedaction(
      apiKey: "sk-abcdef", url: "http://me:p%40ssword@127.0.0.1:9/v1")

    let text = redaction.redact("Bearer sk-abcdef for http://me:p%40ssword@127.0.0.1:9 p@ssword")

    #expect(text == "Bearer [redacted] for http://127.0.0.1:9 [redacted]")
  }

  @Test(arguments: [401, 500])
  func embeddingsErrorHidesKeyAndPassword(status: Int) throws {
    let server = try Self.echoingServer(status: status)
    defer { server.stop() }
    var settings = EmbeddingSettings()
    settings.remoteBaseURL = Self.withCredentials(server.baseURL) + "/v1"
    settings.remoteAPIKeyVariable = "PAPERSIFT_TEST_EMBED_KEY"
    settings.remoteMaxAttempts = 2
    let client = OpenAIEmbeddingsClient(
      settings: settings, environment: ["PAPERSIFT_TEST_EMBED_KEY": Self.key])

    let previousLevel = Logger.minimumLevel
    Logger.minimumLevel = .debug
    defer { Logger.minimumLevel = previousLevel }
    var thrown: PaperSiftError?
    let log = try captureStandardError {
      thrown = #expect(throws: PaperSiftError.self) { try client.embed(["a"]) }
    }
    let error = try #require(thrown)

    #expect(server.requests.first?.headers["authorization"] == "Bearer \(Self.key)")
    #expect(error.message.contains("Bearer [redacted]"))
    #expect(error.message.contains("Request to \(server.baseURL)/v1/embeddings failed"))
    for text in [error.message, error.underlying ?? "", log] {
      #expect(!text.contains(Self.key))
      #expect(!text.contains(Self.password))
      #expect(!text.contains("embuser"))
    }
    if status == 500 {
      #expect(log.contains("Embeddings request failed; retrying"))
      #expect(log.contains(#/delay_s=\d+\.\d\d /#))
      #expect(log.contains("Bearer [redacted]"))
    }
  }

  @Test func chatErrorHidesPassword() throws {
    let server = try Self.echoingServer(status: 401)
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = Self.withCredentials(server.baseURL) + "/v1"
    settings.apiKeyVariable = "PAPERSIFT_TEST_KEY"
    let client = try ChatClient(settings: settings, environment: ["PAPERSIFT_TEST_KEY": Self.key])

    let error = #expect(throws: ChatRequestError.self) {
      try client.complete([ChatMessage(role: "user", content: "hi")], maxOutputTokens: 10)
    }

    let message = try #require(error?.message)
    #expect(message.contains("Bearer [redacted]"))
    #expect(!message.contains(Self.key))
    #expect(!message.contains(Self.password))
    #expect(!message.contains("embuser"))
  }

  @Test func feedErrorHidesPassword() throws {
    let server = try LoopbackHTTPServer { _ in .text("busy", status: 503) }
    defer { server.stop() }
    var settings = FetchSettings()
    settings.rssBaseURL = Self.withCredentials(server.baseURL) + "/rss/"
    let client = ArxivFeedClient(
      settings: settings, retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02))

    let previousLevel = Logger.minimumLevel
    Logger.minimumLevel = .debug
    defer { Logger.minimumLevel = previousLevel }
    var thrown: PaperSiftError?
    let log = try captureStandardError {
      thrown = #expect(throws: PaperSiftError.self) {
        try client.fetchToday(categories: ["cs.LG"])
      }
    }
    let error = try #require(thrown)

    #expect(error.message.contains("Request to \(server.baseURL)/rss/cs.LG failed"))
    #expect(log.contains("Retrying the arXiv feed"))
    for text in [error.message, error.underlying ?? "", log] {
      #expect(!text.contains(Self.password))
      #expect(!text.contains("embuser"))
    }
  }

  @Test func apiLookUpErrorHidesPassword() throws {
    let server = try LoopbackHTTPServer { _ in .text("busy", status: 503) }
    defer { server.stop() }
    let client = ArxivAPIClient(
      baseURL: Self.withCredentials(server.baseURL) + "/api/query", spacing: 0,
      retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02))

    var thrown: PaperSiftError?
    let log = try captureStandardError {
      thrown = #expect(throws: PaperSiftError.self) { try client.papers(ids: ["2505.00001"]) }
    }
    let error = try #require(thrown)

    #expect(error.message.contains("Request to \(server.baseURL)/api/query?id_list="))
    for text in [error.message, error.underlying ?? "", log] {
      #expect(!text.contains(Self.password))
      #expect(!text.contains("embuser"))
    }
  }
}
