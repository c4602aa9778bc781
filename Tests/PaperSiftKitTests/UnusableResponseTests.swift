import Foundation
import Testing

@testable import PaperSiftKit

/// HTTP 200 responses that are no chat completion with a choice: the client
/// keeps the usage they report, the scorer counts them or their estimate,
/// and two in a row, of one kind or two, stop the LLM stage.
@Suite struct UnusableResponseTests {
  static let usage = TokenUsage(promptTokens: 2_000, completionTokens: 500, cachedPromptTokens: 400)
  /// The dollars of ``usage`` at gpt-4o-mini's built-in prices: 1600
  /// uncached prompt tokens at $0.15, 400 cached at $0.075 and 500
  /// completion tokens at $0.60 per million make (240 + 30 + 300) / 10^6.
  static let usageDollars = 0.000_57

  static let messages = [ChatMessage(role: "user", content: "<<<PAPER 2505.10001>>>")]

  /// Sends one request to `server` and returns the error it throws.
  static func failure(from server: FakeChatServer) throws -> ChatRequestError? {
    try failure(settings: ScoringFixtures.settings(for: server))
  }

  static func failure(settings: LLMSettings) throws -> ChatRequestError? {
    let client = try ChatClient(settings: settings, environment: [:])
    return #expect(throws: ChatRequestError.self) {
      try client.complete(messages, maxOutputTokens: 100)
    }
  }

  @Test(arguments: [
    (FakeReply.noChoices, UnusableResponse.noChoices),
    (FakeReply.eventStream, UnusableResponse.eventStream),
  ])
  func clientKeepsReportedUsage(reply: FakeReply, kind: UnusableResponse) throws {
    let server = try FakeChatServer(replies: [reply], usage: Self.usage)
    defer { server.stop() }

    let error = try #require(try Self.failure(from: server))

    #expect(error.unusableResponse == kind)
    #expect(error.reportedUsage == Self.usage)
    #expect(error.status == 200)
    #expect(error.stopReason == nil)
    #expect(server.requests.count == 1)
  }

  @Test(arguments: [
    (FakeReply.noChoices, UnusableResponse.noChoices),
    (FakeReply.eventStream, UnusableResponse.eventStream),
    (FakeReply.emptyBody, UnusableResponse.emptyBody),
  ])
  func clientFlagsMissingUsage(reply: FakeReply, kind: UnusableResponse) throws {
    let server = try FakeChatServer(replies: [reply], reportsUsage: false)
    defer { server.stop() }

    let error = try #require(try Self.failure(from: server))

    #expect(error.unusableResponse == kind)
    #expect(error.reportedUsage == nil)
  }

  @Test func clientNamesEachResponse() throws {
    let server = try FakeChatServer(replies: [.noChoices, .eventStream, .emptyBody])
    defer { server.stop() }
    let endpoint = server.baseURL + "/chat/completions"

    let messages = try (1...3).map { _ in try #require(try Self.failure(from: server)).message }

    #expect(
      messages[0]
        == "The server at \(endpoint) returned a chat completion without choices. Check that "
        + "llm.model ('gpt-4o-mini') names a model that this server serves, and the server's "
        + "log for the cause.")
    #expect(
      messages[1]
        == "The server at \(endpoint) returned a stream of server-sent events (lines that start "
        + "with \"data:\") in place of one chat completion, although the request set \"stream\" "
        + "to false. Check llm.baseURL and that the server supports the chat completions API "
        + "without streaming.")
    #expect(
      messages[2]
        == "The server at \(endpoint) returned an empty body in place of a chat completion. "
        + "Check llm.baseURL and that the server speaks the OpenAI API.")
  }

  @Test func errorObjectKeepsItsUsage() throws {
    let body =
      #"{"error": {"message": "model overloaded"}, "usage": {"prompt_tokens": 700, "#
      + #""completion_tokens": 0}}"#
    let server = try LoopbackHTTPServer { _ in .json(body) }
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = ""

    let error = try Self.failure(settings: settings)

    #expect(error?.unusableResponse == .notChatCompletion)
    #expect(error?.reportedUsage == TokenUsage(promptTokens: 700, completionTokens: 0))
    #expect(error?.message.contains("not a chat completion: {\"error\"") == true)
  }

  @Test func streamUsageIsTheLastReported() {
    let body = """
      data: {"choices": [{"delta": {"content": "x"}}], "usage": {"prompt_tokens": 10, "completion_tokens": 1}}

      data: {"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 7}}

      data: {"choices": [], "usage": {"prompt_tokens": 10}}

      data: [DONE]

      """
    #expect(
      ChatClient.streamUsage(Data(body.utf8))
        == TokenUsage(promptTokens: 10, completionTokens: 7))
    #expect(ChatClient.streamUsage(Data("data: [DONE]\n\n".utf8)) == nil)
  }

  @Test(arguments: [
    ("data: {}\n\n", "application/json", true), ("\n\nevent: message\ndata: {}\n", "", true),
    ("  data: {}", "", true), ("{\"data\": 1}", "text/event-stream; charset=utf-8", true),
    ("{\"data\": 1}", "application/json", false), ("", "", false),
    ("<html>data:</html>", "text/html", false),
  ])
  func eventStreamIsRecognised(body: String, contentType: String, isStream: Bool) {
    let response = HTTPResponse(
      status: 200, headers: contentType.isEmpty ? [:] : ["content-type": contentType],
      body: Data(body.utf8), finalURL: "http://127.0.0.1/v1/chat/completions")
    #expect(ChatClient.isEventStream(response) == isStream)
  }

  @Test func noChoicesTwiceStopsAndCountsUsage() throws {
    let server = try FakeChatServer(replies: [], then: .noChoices, usage: Self.usage)
    defer { server.stop() }
    let (setup, result, log) = try ScoringFailureTests.score(40, on: server)

    #expect(
      server.idsPerRequest == [ScoringFailureTests.ids(1...10), ScoringFailureTests.ids(11...20)])
    #expect(result.scores.isEmpty)
    #expect(
      result.usage
        == TokenUsage(promptTokens: 4_000, completionTokens: 1_000, cachedPromptTokens: 800))
    #expect(abs(result.costUSD - 2 * Self.usageDollars) < 1e-12)
    #expect(result.estimatedRequests == 0)
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.status) == [.unusable, .unusable])
    #expect(batches.map(\.usage) == [Self.usage, Self.usage])
    #expect(batches.allSatisfy { !$0.usageEstimated })
    #expect(batches.allSatisfy { abs($0.costUSD - Self.usageDollars) < 1e-12 })
    let run = try #require(try RunStore(database: setup.database).run(setup.runID))
    #expect(abs(run.costUSD - 2 * Self.usageDollars) < 1e-12)

    let endpoint = server.baseURL + "/chat/completions"
    let reasons = ScoringFailureTests.reasons(result)
    #expect(reasons.count == 40)
    for id in ScoringFailureTests.ids(1...20) {
      #expect(
        reasons[id]
          == "request failed: The server at \(endpoint) returned a chat completion without "
          + "choices. Check that llm.model ('gpt-4o-mini') names a model that this server "
          + "serves, and the server's log for the cause.", "\(id)")
    }
    for id in ScoringFailureTests.ids(21...40) {
      #expect(
        reasons[id]
          == "not sent: the server at \(endpoint) returned a chat completion without choices "
          + "to 2 batches in a row, with no answer to score, so later batches would most likely "
          + "get the same and may be paid for nothing. Check that llm.model ('gpt-4o-mini') "
          + "names a model that this server serves, and the server's log for why it returned "
          + "no choices.", "\(id)")
    }
    #expect(
      ScoringFailureTests.logged(
        "LLM batch failed batch=1 papers=10 prompt_tokens=2000 completion_tokens=500 "
          + "usage=reported cost_usd=0.00057 error=", by: server, in: log))
    #expect(
      ScoringFailureTests.logged(
        "Stopping the LLM stage; later batches are not sent batch=2", by: server, in: log))
  }

  @Test func emptyBodiesCountTheEstimate() throws {
    let server = try FakeChatServer(replies: [], then: .emptyBody, reportsUsage: false)
    defer { server.stop() }
    let (setup, result, _) = try ScoringFailureTests.score(30, on: server)

    #expect(server.requests.count == 2)
    let scorer = try setup.scorer()
    let papers = ScoringFixtures.papers(30)
    // No response reported tokens, so each estimate keeps its scale of 1.
    let estimates = [papers[0..<10], papers[10..<20]].map {
      scorer.estimatedUsage(Array($0), calibration: 1)
    }
    #expect(estimates.allSatisfy { $0.completionTokens == 10 * 110 })
    #expect(result.usage == estimates[0] + estimates[1])
    #expect(result.estimatedRequests == 2)
    let dollars = estimates.map(UsageEstimateTests.miniDollars).reduce(0, +)
    #expect(abs(result.costUSD - dollars) < 1e-12)
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.usage) == estimates)
    #expect(batches.allSatisfy { $0.usageEstimated })
    let run = try RunStore(database: setup.database).run(setup.runID)
    #expect(run?.estimatedBatches == 2)
    #expect(
      ScoringFailureTests.reasons(result)["2505.10021"]?.hasPrefix(
        "not sent: the server at \(server.baseURL)/chat/completions returned an empty body to 2 "
          + "batches in a row") == true)
  }

  @Test func eventStreamsTwiceStop() throws {
    let server = try FakeChatServer(replies: [], then: .eventStream, usage: Self.usage)
    defer { server.stop() }
    let (_, result, _) = try ScoringFailureTests.score(30, on: server)

    #expect(server.requests.count == 2)
    #expect(abs(result.costUSD - 2 * Self.usageDollars) < 1e-12)
    #expect(
      ScoringFailureTests.reasons(result)["2505.10021"]?.hasSuffix(
        "PaperSift asks for one JSON response (\"stream\": false). Check that the server, or a "
          + "proxy in front of it, does not stream its responses.") == true)
  }

  /// A stream, then an HTML page: two responses in a row that are no chat
  /// completion stop the stage, and the reason names both kinds with the
  /// advice for each.
  @Test func differentResponsesInARowStop() throws {
    let server = try FakeChatServer(replies: [.eventStream, .htmlPage, .eventStream])
    defer { server.stop() }
    let (_, result, _) = try ScoringFailureTests.score(40, on: server)

    #expect(server.requests.count == 2)
    #expect(result.scores.isEmpty)
    let reasons = ScoringFailureTests.reasons(result)
    #expect(reasons.count == 40)
    let endpoint = server.baseURL + "/chat/completions"
    for id in ScoringFailureTests.ids(21...40) {
      #expect(
        reasons[id]
          == "not sent: the server at \(endpoint) returned no chat completion to 2 batches in a "
          + "row (a stream of server-sent events, then a response that is not a chat "
          + "completion), with no answer to score, so later batches would most likely get the "
          + "same and may be paid for nothing. PaperSift asks for one JSON response (\"stream\": "
          + "false). Check that the server, or a proxy in front of it, does not stream its "
          + "responses. Check that llm.baseURL is the base of an OpenAI-compatible API, the URL "
          + "before /chat/completions, and the server's log.", "\(id)")
    }
  }

  /// An unusable reply is a chat completion, so it ends a run of responses
  /// that are no chat completion and starts a run of its own.
  @Test func answerBetweenResponsesDoesNotStop() throws {
    let server = try FakeChatServer(
      replies: [.noChoices, .content("I cannot help with that."), .emptyBody, .wellFormed])
    defer { server.stop() }
    let (_, result, _) = try ScoringFailureTests.score(40, on: server)

    #expect(server.requests.count == 4)
    #expect(result.scores.map(\.paperID) == ScoringFailureTests.ids(31...40))
  }

  @Test func unusableResponseCountsTowardBudget() throws {
    // Each response reports 1,000,000 prompt and 100 completion tokens,
    // $0.15006 at gpt-4o-mini's prices, and a batch is estimated below $0.01.
    // With the first response counted, the second batch brings the spending
    // to $0.30, so the budget of $0.20 keeps the third. Counted as $0, the
    // first response would let all three go.
    let server = try FakeChatServer(
      replies: [.noChoices], usage: TokenUsage(promptTokens: 1_000_000, completionTokens: 100))
    defer { server.stop() }
    let setup = try LLMScorerTests.setup(server, batchSize: 10)

    let result = try setup.scorer().score(
      ScoringFixtures.papers(30), runID: setup.runID, budgetUSD: 0.2)

    #expect(server.requests.count == 2)
    #expect(result.scores.map(\.paperID) == ScoringFailureTests.ids(11...20))
    #expect(abs(result.costUSD - 2 * 0.150_06) < 1e-12)
    let reasons = ScoringFailureTests.reasons(result)
    #expect(ScoringFailureTests.ids(21...30).allSatisfy { reasons[$0] == "budget" })
  }
}
