import Foundation
import Testing

@testable import PaperSiftKit

/// The LLM stage when every answer, or every request, fails the same way:
/// which batches are sent, what is stored, and what is logged.
@Suite struct ScoringFailureTests {
  static let refusal = "I am sorry, I cannot help with that."

  /// Scores `count` papers in batches of 10 on `server` and returns the
  /// setup, the result and the standard error written meanwhile.
  static func score(
    _ count: Int, on server: FakeChatServer, maxAttempts: Int = 2,
    environment: [String: String] = [:], apiKeyVariable: String = ""
  ) throws -> (LLMScorerTests.Setup, ScoringResult, String) {
    var setup = try LLMScorerTests.setup(server, batchSize: 10)
    setup.settings.maxAttempts = maxAttempts
    setup.settings.apiKeyVariable = apiKeyVariable
    var result: ScoringResult?
    let log = try captureStandardError {
      result = try setup.scorer(environment: environment).score(
        ScoringFixtures.papers(count), runID: setup.runID)
    }
    return (setup, try #require(result), log)
  }

  /// Returns whether `log` has a line that contains `text` and the URL of
  /// `server`, because tests running meanwhile write to the same standard error.
  static func logged(_ text: String, by server: FakeChatServer, in log: String) -> Bool {
    log.split(separator: "\n").contains { $0.contains(text) && $0.contains(server.baseURL) }
  }

  static func reasons(_ result: ScoringResult) -> [String: String] {
    Dictionary(uniqueKeysWithValues: result.unscored.map { ($0.paperID, $0.reason) })
  }

  static func ids(_ range: ClosedRange<Int>) -> [String] {
    range.map { "2505.\(10000 + $0)" }
  }

  @Test func proseAnswersStopAfterTwoBatches() throws {
    let server = try FakeChatServer { _, _ in .content(Self.refusal) }
    defer { server.stop() }
    let (setup, result, log) = try Self.score(50, on: server)

    #expect(server.idsPerRequest == [Self.ids(1...10), Self.ids(11...20)])
    #expect(result.scores.isEmpty)
    let reasons = Self.reasons(result)
    #expect(reasons.count == 50)
    for id in Self.ids(1...20) {
      #expect(reasons[id] == "answer was not JSON", "\(id)")
    }
    for id in Self.ids(21...50) {
      #expect(
        reasons[id]?.hasPrefix(
          "not sent: the answers to 2 batches in a row were not JSON (the log quotes how each "
            + "began), so later batches would be paid for nothing. Check that llm.model "
            + "('gpt-4o-mini') names a model") == true, "\(id)")
      #expect(reasons[id]?.contains("the server at \(server.baseURL)/chat/completions") == true)
    }
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.status) == [.unusable, .unusable])
    #expect(batches.allSatisfy { $0.usage.promptTokens > 0 })
    #expect(batches.allSatisfy { $0.costUSD > 0 })
    #expect(try setup.count("SELECT COUNT(*) FROM unscored") == 50)
    #expect(
      log.contains(
        "LLM answer gave no usable score; its tokens are paid and stored batch=1 papers=10 "
          + "cause=\"answer was not JSON\" answer_start=\"\(Self.refusal)\""))
    #expect(
      Self.logged(
        "Stopping the LLM stage; later batches are not sent batch=2", by: server, in: log))
  }

  @Test func foreignIDAnswersStopAfterTwoBatches() throws {
    let server = try FakeChatServer { _, _ in .onlyForeignIDs }
    defer { server.stop() }
    let (_, result, log) = try Self.score(30, on: server)

    #expect(server.requests.count == 2)
    let reasons = Self.reasons(result)
    for id in Self.ids(1...20) {
      #expect(reasons[id] == "answer's ids are not in the batch", "\(id)")
    }
    for id in Self.ids(21...30) {
      #expect(
        reasons[id]?.hasPrefix(
          "not sent: the answers to 2 batches in a row named only arXiv ids that were not in "
            + "the batch") == true, "\(id)")
    }
    #expect(
      log.contains(
        "LLM answer has ids not in the batch; ignored batch=1 count=10 ids=2501.00001,"
          + "2501.00002,2501.00003,2501.00004,2501.00005,2501.00006,2501.00007,2501.00008,"
          + "2501.00009,2501.00010\n"))
    let idLines = log.split(separator: "\n").filter { $0.contains("ids not in the batch") }
    #expect(!idLines.isEmpty)
    #expect(!idLines.contains { $0.contains("\"") })
  }

  @Test func invalidScoreAnswersStopAfterTwoBatches() throws {
    let server = try FakeChatServer { _, ids in
      .content(ids.map { FakeChatServer.line(for: $0, relevance: 0) }.joined(separator: "\n"))
    }
    defer { server.stop() }
    let (_, result, _) = try Self.score(30, on: server)

    #expect(server.requests.count == 2)
    let reasons = Self.reasons(result)
    for id in Self.ids(1...20) {
      #expect(reasons[id] == "invalid score", "\(id)")
    }
    #expect(
      reasons["2505.10021"]?.hasPrefix(
        "not sent: the answers to 2 batches in a row gave no paper a relevance and novelty "
          + "from 1 to 10") == true)
  }

  @Test func oneUnusableAnswerIsNotResent() throws {
    let server = try FakeChatServer(replies: [.content(Self.refusal)])
    defer { server.stop() }
    let (_, result, _) = try Self.score(30, on: server)

    #expect(server.idsPerRequest == [Self.ids(1...10), Self.ids(11...20), Self.ids(21...30)])
    #expect(result.scores.map(\.paperID) == Self.ids(11...30))
    #expect(result.unscored.map(\.paperID) == Self.ids(1...10))
    #expect(result.unscored.allSatisfy { $0.reason == "answer was not JSON" })
  }

  @Test func differentFaultsInARowDoNotStop() throws {
    let server = try FakeChatServer(
      replies: [.content(Self.refusal), .onlyForeignIDs, .content(Self.refusal)])
    defer { server.stop() }
    let (_, result, _) = try Self.score(40, on: server)

    #expect(server.requests.count == 4)
    #expect(result.scores.map(\.paperID) == Self.ids(31...40))
    let reasons = Self.reasons(result)
    #expect(reasons["2505.10001"] == "answer was not JSON")
    #expect(reasons["2505.10011"] == "answer's ids are not in the batch")
    #expect(reasons["2505.10021"] == "answer was not JSON")
  }

  @Test func twoUnusableAfterGoodAnswerStop() throws {
    let server = try FakeChatServer(
      replies: [.wellFormed, .content(Self.refusal), .content(Self.refusal)])
    defer { server.stop() }
    let (_, result, _) = try Self.score(40, on: server)

    #expect(server.requests.count == 3)
    #expect(result.scores.map(\.paperID) == Self.ids(1...10))
    let reasons = Self.reasons(result)
    #expect(reasons["2505.10011"] == "answer was not JSON")
    #expect(reasons["2505.10021"] == "answer was not JSON")
    #expect(reasons["2505.10031"]?.hasPrefix("not sent: the answers to 2 batches") == true)
  }

  @Test func answersCutBeforeFirstEntryStop() throws {
    let server = try FakeChatServer { _, _ in .cutAtLength(keep: 0) }
    defer { server.stop() }
    let (_, result, log) = try Self.score(30, on: server)

    // Batch 1 waits to be sent again in halves, batch 2 stops the stage, and
    // the papers of both keep their own reason. Only batch 3 is unsent.
    #expect(server.requests.count == 2)
    #expect(result.unscored.count == 30)
    let reasons = Self.reasons(result)
    for id in Self.ids(1...20) {
      #expect(reasons[id] == "answer was cut off", "\(id)")
    }
    for id in Self.ids(21...30) {
      #expect(
        reasons[id]
          == "not sent: the answers to 2 batches in a row were cut off before their first "
          + "complete entry, so later batches would be paid for nothing. Raise "
          + "llm.maxOutputTokens (now 16000, which a reasoning model shares with its "
          + "reasoning) or lower llm.batchSize (now 10).", "\(id)")
    }
    #expect(log.contains("cause=\"answer was cut off\""))
    // Batch 2 stops the stage, so its log line promises no resend.
    #expect(
      log.contains(
        "LLM answer was cut off; its papers without a score stay unscored batch=2 papers=10 "
          + "scored=0 unscored=10"))
    #expect(
      log.contains(
        "Queued papers are not sent again and keep the reason of their first response "
          + "batch=\"scoring retry batch 1/2\" papers=5 cause=\"LLM stage stopped\""))
  }

  @Test func cutOffWarningCountsPapers() throws {
    let server = try FakeChatServer(replies: [.cutAtLength(keep: 4)], then: .cutAtLength(keep: 1))
    defer { server.stop() }
    let (_, result, log) = try Self.score(10, on: server)

    // The 6 papers left go out as 5 and 1, and each of these answers scores 1 of them.
    #expect(server.idsPerRequest.map(\.count) == [10, 5, 1])
    #expect(result.scores.count == 6)
    #expect(result.unscored.count == 4)
    #expect(result.unscored.allSatisfy { $0.reason == "answer was cut off" })
    #expect(
      log.contains(
        "LLM answer was cut off; its papers without a score are sent again in smaller batches "
          + "batch=1 papers=10 scored=4 to_resend=6 finish_reason=length max_output_tokens=16000"
      ))
    #expect(
      log.contains(
        "LLM answer was cut off; its papers without a score stay unscored batch=2 papers=5 "
          + "scored=1 unscored=4 finish_reason=length"))
    #expect(!log.contains("its last entry is dropped"))
  }

  @Test func serverErrorsStopAfterTwoBatches() throws {
    let server = try FakeChatServer { _, _ in .serverError("upstream down") }
    defer { server.stop() }
    let (setup, result, log) = try Self.score(50, on: server)

    // Two attempts for each of the first two batches.
    let firstIDs = server.idsPerRequest.map(\.first)
    #expect(firstIDs == ["2505.10001", "2505.10001", "2505.10011", "2505.10011"])
    let reasons = Self.reasons(result)
    for id in Self.ids(1...20) {
      #expect(reasons[id]?.contains("failed with HTTP status 500: upstream down") == true)
    }
    let expected =
      "not sent: the server at \(server.baseURL)/chat/completions answered HTTP status 500 to 2 "
      + "batches in a row, after 2 attempts each, so later batches would most likely fail too. "
      + "Check the server's log or the provider's status page, then run again: the next run of "
      + "the night sends the papers that have no score."
    for id in Self.ids(21...50) {
      #expect(reasons[id] == expected, "\(id)")
    }
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.status) == [.failed, .failed])
    #expect(
      Self.logged(
        "Stopping the LLM stage; later batches are not sent batch=2", by: server, in: log))
  }

  @Test func answerBetweenServerErrorsResets() throws {
    let failing: Set<String> = ["2505.10001", "2505.10021"]
    let server = try FakeChatServer { _, ids in
      failing.contains(ids.first ?? "") ? .serverError("flaky") : .wellFormed
    }
    defer { server.stop() }
    let (_, result, _) = try Self.score(40, on: server)

    #expect(server.requests.count == 6)
    #expect(result.scores.map(\.paperID) == Self.ids(11...20) + Self.ids(31...40))
    #expect(result.unscored.allSatisfy { $0.reason.contains("HTTP status 500") })
  }

  @Test func sameClientErrorStopsAfterTwoBatches() throws {
    let key = "sk-client-error-secret-\(UUID().uuidString)"
    let variable = "PAPERSIFT_CLIENT_ERROR_TEST_KEY"
    // The server echoes the request's Authorization header in its 404 body.
    let server = try FakeChatServer { _, _ in .errorEchoingKey(status: 404) }
    defer { server.stop() }
    let (setup, result, log) = try Self.score(
      50, on: server, environment: [variable: key], apiKeyVariable: variable)

    // A 404 is not retried, so each of the two batches sends one request.
    #expect(server.idsPerRequest == [Self.ids(1...10), Self.ids(11...20)])
    let reasons = Self.reasons(result)
    #expect(reasons.count == 50)
    for id in Self.ids(1...20) {
      #expect(reasons[id]?.contains("failed with HTTP status 404") == true, "\(id)")
    }
    let expected =
      "not sent: the server at \(server.baseURL)/chat/completions answered HTTP status 404 to 2 "
      + "batches in a row, so later batches would most likely fail the same way. Check that "
      + "llm.model ('gpt-4o-mini') names a model that this server serves, and that llm.baseURL "
      + "is the base of its OpenAI-compatible API, the URL before /chat/completions. The digest "
      + "lists the papers of the failed batches with the server's response."
    for id in Self.ids(21...50) {
      #expect(reasons[id] == expected, "\(id)")
    }
    #expect(!reasons.values.contains { $0.contains(key) })
    #expect(!log.contains(key))
    let batches = try RunStore(database: setup.database).batches(runID: setup.runID)
    #expect(batches.map(\.status) == [.failed, .failed])
    #expect(
      Self.logged(
        "Stopping the LLM stage; later batches are not sent batch=2", by: server, in: log))
  }

  @Test func rateLimitStopsAfterTwoBatches() throws {
    // Without Retry-After, each batch takes its two attempts, both HTTP 429.
    let server = try FakeChatServer { _, _ in
      .errorStatus(429, body: #"{"error": {"message": "Rate limit reached for requests"}}"#)
    }
    defer { server.stop() }
    let (_, result, _) = try Self.score(40, on: server)

    #expect(server.requests.count == 4)
    let reason = try #require(Self.reasons(result)["2505.10021"])
    let expected =
      "not sent: the server at \(server.baseURL)/chat/completions answered HTTP status 429 to "
      + "2 batches in a row, after 2 attempts each, so later batches would most likely fail "
      + "too. Check the server's log or the provider's status page, then run again: the next "
      + "run of the night sends the papers that have no score. HTTP 429 is the provider's rate "
      + "limit: wait before the next run, or lower llm.batchSize (now 10) so that each request "
      + "asks for fewer tokens."
    #expect(reason == expected)
    #expect(Self.reasons(result)["2505.10040"] == expected)
  }

  @Test func badRequestStopNamesJSONMode() throws {
    let server = try FakeChatServer { _, _ in
      .errorStatus(400, body: #"{"error": {"message": "response_format is not supported"}}"#)
    }
    defer { server.stop() }
    let (_, result, _) = try Self.score(30, on: server)

    #expect(server.requests.count == 2)
    let reason = try #require(Self.reasons(result)["2505.10021"])
    let expected =
      "not sent: the server at \(server.baseURL)/chat/completions answered HTTP status 400 to "
      + "2 batches in a row, so later batches would most likely fail the same way. The server "
      + "rejected the request itself: its response names the cause. A prompt longer than the "
      + "model's context needs a lower llm.batchSize (now 10) or llm.maxOutputTokens (now 16000). "
      + "If the server rejects response_format, set llm.jsonMode to false. Check too that "
      + "llm.model ('gpt-4o-mini') names a model that this server serves. The digest lists the "
      + "papers of the failed batches with the server's response."
    #expect(reason == expected)
  }

  /// Replies in which no two batches in a row fail with the same client
  /// error, the requests they take and the papers scored. Each HTTP 500 is
  /// retried once, so its batch takes two requests.
  static let mixedFailures: [([FakeReply], Int, [String])] = [
    ([.errorStatus(404, body: "no model"), .errorStatus(400, body: "bad")], 4, []),
    ([.errorStatus(404, body: "no model"), .serverError("down"), .serverError("down")], 5, []),
    ([.errorStatus(404, body: "no model"), .wellFormed], 4, ids(11...20)),
  ]

  @Test(arguments: mixedFailures)
  func clientErrorRunEndsAtOtherOutcome(
    replies: [FakeReply], requests: Int, scoredBefore: [String]
  ) throws {
    // A third 404 follows the replies, so a run of two 404s would stop the stage.
    let server = try FakeChatServer(replies: replies + [.errorStatus(404, body: "no model")])
    defer { server.stop() }
    let (_, result, _) = try Self.score(40, on: server)

    #expect(server.requests.count == requests)
    #expect(result.scores.map(\.paperID) == scoredBefore + Self.ids(31...40))
    #expect(!result.unscored.contains { $0.reason.hasPrefix("not sent: ") })
  }

  @Test func failureBetweenUnusableAnswersResets() throws {
    // Requests 2 and 3 are the two attempts of batch 2, both HTTP 500.
    let server = try FakeChatServer(
      replies: [
        .content(Self.refusal), .serverError("down"), .serverError("down"),
        .content(Self.refusal),
      ])
    defer { server.stop() }
    let (_, result, _) = try Self.score(40, on: server)

    #expect(server.requests.count == 5)
    #expect(result.scores.map(\.paperID) == Self.ids(31...40))
    let reasons = Self.reasons(result)
    #expect(reasons["2505.10001"] == "answer was not JSON")
    #expect(reasons["2505.10011"]?.contains("failed with HTTP status 500: down") == true)
    #expect(reasons["2505.10021"] == "answer was not JSON")
    #expect(!reasons.values.contains { $0.hasPrefix("not sent: ") })
  }

  @Test func answerQuoteIsShortAndRedacted() throws {
    let key = "sk-quote-secret-\(UUID().uuidString)"
    let variable = "PAPERSIFT_QUOTE_TEST_KEY"
    let answer = "Refused for the key \(key).\n\n" + String(repeating: "No JSON here. ", count: 30)
    let server = try FakeChatServer(replies: [.content(answer)])
    defer { server.stop() }
    let (_, result, log) = try Self.score(
      10, on: server, environment: [variable: key], apiKeyVariable: variable)

    #expect(result.unscored.count == 10)
    #expect(!log.contains(key))
    let line = try #require(
      log.split(separator: "\n").first { $0.contains("answer_start=\"Refused for the key") })
    let quote = try #require(line.firstMatch(of: /answer_start="([^"]*)"/)?.1)
    let expected =
      String(
        ("Refused for the key [redacted]. " + String(repeating: "No JSON here. ", count: 30))
          .prefix(200)) + "…"
    #expect(quote == expected)
  }
}
