import Foundation
import Testing

@testable import PaperSiftKit

/// Chat-completions requests to servers that do not serve them: HTTP 501 and
/// 505, HTML error pages and streams of server-sent events, on loopback servers.
@Suite struct UnsupportedRequestTests {
  /// The page that Python's `http.server` sends for a POST it does not handle.
  static let pythonErrorPage = """
    <!DOCTYPE HTML>
    <html lang="en">
        <head>
            <meta charset="utf-8">
            <title>Error response</title>
        </head>
        <body>
            <h1>Error response</h1>
            <p>Error code: 501</p>
            <p>Message: Unsupported method (&#x27;POST&#x27;).</p>
            <p>Error code explanation: 501 - Server does not support this operation.</p>
        </body>
    </html>

    """

  /// One event of a streamed chat completion, as OpenAI-compatible servers send it.
  static let eventStreamChunk =
    #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","#
    + #""choices":[{"index":0,"delta":{"role":"assistant","content":"{\"ARXIVID\""}}]}"#

  static func client(_ server: LoopbackHTTPServer, maxAttempts: Int = 3) throws -> ChatClient {
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = ""
    settings.maxAttempts = maxAttempts
    settings.retryBaseDelay = 0.01
    settings.retryMaxDelay = 0.02
    return try ChatClient(settings: settings, environment: [:])
  }

  @Test(arguments: [501, 505])
  func unsupportedStatusIsNotRetried(status: Int) throws {
    let server = try LoopbackHTTPServer { _ in
      .text(Self.pythonErrorPage, status: status, headers: [("Content-Type", "text/html")])
    }
    defer { server.stop() }
    let client = try Self.client(server)

    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(ChatClientTests.messages, maxOutputTokens: 100)
    }

    #expect(server.requests.count == 1)
    #expect(error?.status == status)
    #expect(
      error?.message == "The LLM request failed: Request to \(server.baseURL)/v1/chat/completions "
        + "failed with HTTP status \(status): Error response Error code: 501 Message: "
        + "Unsupported method ('POST'). Error code explanation: 501 - Server does not support "
        + "this operation. The server does not support this request, so it was not retried. "
        + "Check that llm.baseURL is the base of an OpenAI-compatible API, the URL before "
        + "/chat/completions, and that the server there supports the chat completions API.")
  }

  @Test func serverErrorIsStillRetried() throws {
    let server = try LoopbackHTTPServer { _ in .text("busy", status: 503) }
    defer { server.stop() }
    let client = try Self.client(server)

    _ = #expect(throws: ChatRequestError.self) {
      try client.complete(ChatClientTests.messages, maxOutputTokens: 100)
    }

    #expect(server.requests.count == 3)
  }

  @Test func eventStreamIsNamedNotQuoted() throws {
    let chunk = Self.eventStreamChunk
    let server = try LoopbackHTTPServer { _ in
      .text(
        chunk + "\n\n" + chunk + "\n\ndata: [DONE]\n\n",
        headers: [("Content-Type", "text/event-stream")])
    }
    defer { server.stop() }
    let client = try Self.client(server)

    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(ChatClientTests.messages, maxOutputTokens: 100)
    }

    #expect(
      error?.message == "The server at \(server.baseURL)/v1/chat/completions returned a stream "
        + "of server-sent events (lines that start with \"data:\") in place of one chat "
        + "completion, although the request set \"stream\" to false. Check llm.baseURL and that "
        + "the server supports the chat completions API without streaming.")
  }

  @Test func eventStreamNightKeepsNoticeShort() throws {
    let chunk = Self.eventStreamChunk
    let server = try LoopbackHTTPServer { _ in
      .text(
        String(repeating: chunk + "\n\n", count: 5),
        headers: [("Content-Type", "text/event-stream")])
    }
    defer { server.stop() }
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: server.baseURL + "/v1")
    let day = try NightFixtures.smallDay(8, in: home)

    let result = try PaperSiftProcess(home: home).run(
      NightFixtures.runArguments(day, ["--top", "4"]))

    #expect(result.status == 3, "stderr: \(result.errorOutput)")
    let markdown = try NightFixtures.markdown(in: home)
    let notice = try #require(markdown.components(separatedBy: "\n\n").dropFirst().first)
    #expect(
      notice == "**The LLM stage failed: no paper got a score, and the first cause was: The "
        + "server at \(server.baseURL)/v1/chat/completions returned a stream of server-sent "
        + "events (lines that start with \"data:\") in place of one chat completion, although "
        + "the request set \"stream\" to false. Check llm.baseURL and that the server supports "
        + "the chat completions API without streaming.** The papers below are the prefilter's "
        + "ranking, and the papers that got no score are listed at the end.")
    #expect(!markdown.contains("chatcmpl"))
  }

  @Test func longResponseIsQuotedShort() throws {
    let words = (1...200).map { "word\($0)" }.joined(separator: " ")
    let server = try LoopbackHTTPServer { _ in .text("<p>\(words)</p>") }
    defer { server.stop() }
    let client = try Self.client(server)

    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(ChatClientTests.messages, maxOutputTokens: 100)
    }

    // Words 1 to 9 take 6 characters with their space and 10 on take 7, so
    // word24 ends at 54 + 15 × 7 - 1 = 158 and word25 would end past 160.
    #expect(
      error?.message.contains("not a chat completion: word1 word2 word3 word4 word5") == true)
    #expect(
      error?.message.contains(" word24…. Check llm.baseURL") == true, "\(error?.message ?? "")")
  }

  @Test func twoUnsupportedBatchesStopStage() throws {
    let server = try FakeChatServer { _, _ in .errorStatus(501, body: Self.pythonErrorPage) }
    defer { server.stop() }

    let (_, result, _) = try ScoringFailureTests.score(30, on: server, maxAttempts: 3)

    #expect(server.requests.count == 2)
    let expected =
      "not sent: the server at \(server.baseURL)/chat/completions answered HTTP status 501 to 2 "
      + "batches in a row, so later batches would most likely fail the same way. The server "
      + "does not support the request. Check that llm.baseURL is the base of an "
      + "OpenAI-compatible API, the URL before /chat/completions, and that the server there "
      + "supports the chat completions API. The digest lists the papers of the failed batches "
      + "with the server's response."
    #expect(ScoringFailureTests.reasons(result)["2505.10021"] == expected)
  }
}
