import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ChatClientTests {
  @Test(arguments: [
    ("ftp://127.0.0.1/v1", "use an http or https URL"),
    ("http://127.0.0.1:8080/v1?key=x", "without '?' or '#'"),
    ("http://127.0.0.1:8080/v1#part", "without '?' or '#'"),
    ("http:///v1", "with a host"),
  ])
  func unusableBaseURLIsNamed(baseURL: String, advice: String) {
    var settings = LLMSettings()
    settings.baseURL = baseURL
    #expect {
      try settings.validate()
    } throws: { error in
      let error = error as? PaperSiftError
      return error?.code == .configuration
        && error?.message.contains("Invalid llm.baseURL '\(baseURL)'") == true
        && error?.message.contains(advice) == true
    }
  }

  @Test(arguments: [
    (HTTPError.Kind.timedOut, true), (.transfer(code: 7), true), (.transfer(code: 6), true),
    (.transfer(code: 56), false), (.status(503), false),
  ])
  func unreachableServerKinds(kind: HTTPError.Kind, unreachable: Bool) {
    // curl codes: 6 host not resolved, 7 connection refused, 56 receive failure.
    let error = HTTPError(kind: kind, url: "http://127.0.0.1:9/v1", detail: "")
    #expect(ChatClient.isUnreachable(error) == unreachable)
  }

  static let messages = [
    ChatMessage(role: "system", content: "Score papers."),
    ChatMessage(
      role: "user", content: "<<<PAPER 2505.10001>>>\nTitle: T\n<<<END PAPER 2505.10001>>>"),
  ]

  static func body(_ settings: LLMSettings) throws -> [String: Any] {
    let client = try ChatClient(settings: settings, environment: [:])
    let data = try client.requestBody(messages: messages, maxOutputTokens: 500)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  static func localSettings(model: String) -> LLMSettings {
    var settings = LLMSettings()
    settings.baseURL = "http://127.0.0.1:9/v1"
    settings.model = model
    return settings
  }

  @Test(arguments: ["gpt-4o-mini", "gpt-4o", "gpt-4.1-nano", "llama3.2"])
  func chatModelGetsMaxTokensAndTemperature(model: String) throws {
    let body = try Self.body(Self.localSettings(model: model))
    #expect(body["model"] as? String == model)
    #expect(body["max_tokens"] as? Int == 500)
    #expect(body["max_completion_tokens"] == nil)
    #expect(body["temperature"] as? Double == 0)
    #expect((body["response_format"] as? [String: String])?["type"] == "json_object")
    #expect(body["stream"] as? Bool == false)
    #expect((body["messages"] as? [[String: String]])?.count == 2)
  }

  @Test(arguments: ["gpt-5", "gpt-5-mini", "o1", "o3", "o4-mini", "openai/gpt-5-nano"])
  func reasoningModelGetsMaxCompletionTokens(model: String) throws {
    let body = try Self.body(Self.localSettings(model: model))
    #expect(body["max_completion_tokens"] as? Int == 500)
    #expect(body["max_tokens"] == nil)
    #expect(body["temperature"] == nil)
  }

  @Test func reasoningEffortGoesToReasoningModelsOnly() throws {
    var settings = Self.localSettings(model: "gpt-5-mini")
    #expect(try Self.body(settings)["reasoning_effort"] == nil)
    settings.reasoningEffort = "low"
    #expect(try Self.body(settings)["reasoning_effort"] as? String == "low")
    settings.model = "gpt-4o-mini"
    #expect(try Self.body(settings)["reasoning_effort"] == nil)
  }

  @Test func reasoningOverrideWins() throws {
    var settings = Self.localSettings(model: "qwen3")
    settings.reasoning = true
    #expect(try Self.body(settings)["max_completion_tokens"] as? Int == 500)
    settings.model = "o3"
    settings.reasoning = false
    #expect(try Self.body(settings)["max_tokens"] as? Int == 500)
  }

  @Test func jsonModeOffSendsNoResponseFormat() throws {
    var settings = Self.localSettings(model: "gpt-4o-mini")
    settings.jsonMode = false
    #expect(try Self.body(settings)["response_format"] == nil)
  }

  @Test func endpointJoinsBaseURL() throws {
    var settings = Self.localSettings(model: "m")
    settings.baseURL = "http://localhost:11434/v1/"
    let client = try ChatClient(settings: settings, environment: [:])
    #expect(client.endpoint == "http://localhost:11434/v1/chat/completions")
  }

  @Test func keyIsSentAsBearer() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    var settings = ScoringFixtures.settings(for: server)
    settings.apiKeyVariable = "PAPERSIFT_TEST_KEY"
    let client = try ChatClient(settings: settings, environment: ["PAPERSIFT_TEST_KEY": "sk-abc"])
    _ = try client.complete(Self.messages, maxOutputTokens: 100)
    let request = try #require(server.requests.first)
    #expect(request.method == "POST")
    #expect(request.path == "/v1/chat/completions")
    #expect(request.headers["authorization"] == "Bearer sk-abc")
    #expect(request.headers["content-type"] == "application/json")
  }

  @Test func noKeyMeansNoAuthorizationHeader() throws {
    let server = try FakeChatServer(replies: [])
    defer { server.stop() }
    let client = try ChatClient(
      settings: ScoringFixtures.settings(for: server), environment: ["OPENAI_API_KEY": "sk-abc"])
    _ = try client.complete(Self.messages, maxOutputTokens: 100)
    #expect(server.requests.first?.headers["authorization"] == nil)
  }

  @Test func missingKeyForRemoteServerIsRejected() {
    let error = #expect(throws: PaperSiftError.self) {
      try ChatClient(settings: LLMSettings(), environment: [:])
    }
    #expect(error?.code == .configuration)
    #expect(error?.message.contains("OPENAI_API_KEY") == true)
  }

  @Test func usageIsRead() throws {
    let usage = TokenUsage(promptTokens: 1500, completionTokens: 220, cachedPromptTokens: 1024)
    let server = try FakeChatServer(replies: [.wellFormed], usage: usage)
    defer { server.stop() }
    let client = try ChatClient(settings: ScoringFixtures.settings(for: server), environment: [:])
    let completion = try client.complete(Self.messages, maxOutputTokens: 100)
    #expect(completion.usage == usage)
    #expect(completion.finishReason == "stop")
    #expect(completion.content.contains(#""ARXIVID": "2505.10001""#))
  }

  @Test func retryAfterIsHonoured() throws {
    let server = try FakeChatServer(replies: [.rateLimited(retryAfter: 1)])
    defer { server.stop() }
    let client = try ChatClient(settings: ScoringFixtures.settings(for: server), environment: [:])
    let completion = try client.complete(Self.messages, maxOutputTokens: 100)
    #expect(!completion.content.isEmpty)
    let times = server.requests.map(\.receivedAt)
    #expect(times.count == 2)
    #expect(times[1].timeIntervalSince(times[0]) >= 0.95)
    #expect(times[1].timeIntervalSince(times[0]) < 3)
  }

  @Test func serverErrorsBackOffThenSucceed() throws {
    let server = try FakeChatServer(replies: [.serverError("boom"), .serverError("boom")])
    defer { server.stop() }
    var settings = ScoringFixtures.settings(for: server)
    settings.retryBaseDelay = 0.2
    settings.retryMaxDelay = 1
    let client = try ChatClient(settings: settings, environment: [:])
    _ = try client.complete(Self.messages, maxOutputTokens: 100)
    let times = server.requests.map(\.receivedAt)
    #expect(times.count == 3)
    // Jitter draws each wait from half to all of its step: 0.2 s, then 0.4 s.
    #expect(times[1].timeIntervalSince(times[0]) >= 0.1)
    #expect(times[2].timeIntervalSince(times[1]) >= 0.2)
    #expect(times[2].timeIntervalSince(times[0]) < 2)
  }

  @Test(arguments: [408, 429, 502, 529])
  func transientStatusIsRetried(status: Int) throws {
    let calls = Counter()
    let server = try LoopbackHTTPServer { _ in
      calls.increment() == 1
        ? .text("busy", status: status)
        : .json(#"{"choices": [{"message": {"content": "ok"}}]}"#)
    }
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = ""
    settings.retryBaseDelay = 0.01
    let client = try ChatClient(settings: settings, environment: [:])
    #expect(try client.complete(Self.messages, maxOutputTokens: 10).content == "ok")
    #expect(server.requests.count == 2)
  }

  @Test func lastAttemptFailureIsLLMError() throws {
    let server = try FakeChatServer(replies: [], then: .serverError("overloaded"))
    defer { server.stop() }
    let client = try ChatClient(settings: ScoringFixtures.settings(for: server), environment: [:])
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.kind == .failed)
    #expect(error?.message.contains("HTTP status 500") == true)
    #expect(error?.message.contains(client.endpoint) == true)
    #expect(server.requests.count == 3)
  }

  /// Returns a client that waits 0.3 s per request and makes two attempts.
  static func impatientClient(for server: FakeChatServer) throws -> ChatClient {
    var settings = ScoringFixtures.settings(for: server)
    settings.requestTimeout = 0.3
    settings.maxAttempts = 2
    return try ChatClient(settings: settings, environment: [:])
  }

  @Test func slowServerTimesOutOnEveryAttempt() throws {
    let server = try FakeChatServer(replies: [], then: .tooSlow(2))
    defer { server.stop() }
    let client = try Self.impatientClient(for: server)
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.message.contains("timed out") == true)
    #expect(error?.message.contains("raise llm.requestTimeout (now 0.3 s)") == true)
    #expect(error?.message.contains("raise the timeout") == false)
    #expect(error?.kind == .unreachable)
    let reason = try #require(error?.stopReason)
    #expect(reason.contains("the server at \(client.endpoint) timed out or refused"))
    #expect(reason.contains("on all 2 attempts"))
    #expect(reason.contains("llm.baseURL"))
    #expect(reason.contains("llm.requestTimeout (now 0.3 s)"))
    #expect(reason.contains("llm.maxAttempts (now 2)"))
    #expect(server.requests.count == 2)
  }

  @Test func timeoutAfterServerErrorKeepsRunGoing() throws {
    let server = try FakeChatServer(replies: [.serverError("busy")], then: .tooSlow(2))
    defer { server.stop() }
    let client = try Self.impatientClient(for: server)
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.kind == .failed)
    #expect(error?.stopReason == nil)
    #expect(error?.message.contains("llm.requestTimeout") == true)
    #expect(server.requests.count == 2)
  }

  @Test func refusedConnectionHidesCredentials() throws {
    let port = try RefusingLoopbackPort()
    var settings = LLMSettings()
    settings.baseURL = "http://papersift:url-secret@127.0.0.1:\(port.port)/v1"
    settings.apiKeyVariable = ""
    settings.maxAttempts = 2
    settings.retryBaseDelay = 0.01
    let client = try ChatClient(settings: settings, environment: [:])
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.kind == .unreachable)
    #expect(client.displayEndpoint == "http://127.0.0.1:\(port.port)/v1/chat/completions")
    #expect(error?.message.contains(client.displayEndpoint) == true)
    #expect(error?.message.contains("Check that the server is running") == true)
    let reason = try #require(error?.stopReason)
    #expect(reason.contains("the server at \(client.displayEndpoint) timed out or refused"))
    #expect(error?.message.contains("url-secret") == false)
    #expect(!reason.contains("url-secret"))
  }

  @Test func unauthorizedIsNotRetried() throws {
    let server = try LoopbackHTTPServer { _ in .json(#"{"error": "bad key"}"#, status: 401) }
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = ""
    let client = try ChatClient(settings: settings, environment: [:])
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.kind == .keyRejected)
    #expect(error?.message.contains("HTTP status 401: {\"error\": \"bad key\"}") == true)
    #expect(
      error?.message.contains("No API key was sent, because llm.apiKeyVariable is empty") == true)
    #expect(server.requests.count == 1)
  }

  @Test func forbiddenKeyNamesItsVariable() throws {
    let key = "sk-forbidden-\(UUID().uuidString)"
    let server = try LoopbackHTTPServer { request in
      .json(
        #"{"error": "key \#(request.headers["authorization"] ?? "") is not allowed"}"#,
        status: 403)
    }
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = "PAPERSIFT_TEST_KEY"
    let client = try ChatClient(settings: settings, environment: ["PAPERSIFT_TEST_KEY": key])
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.kind == .keyRejected)
    #expect(error?.message.contains("HTTP status 403") == true)
    #expect(
      error?.message.contains(
        "Check the API key in the environment variable PAPERSIFT_TEST_KEY that "
          + "llm.apiKeyVariable names") == true)
    #expect(error?.message.contains("Bearer [redacted]") == true)
    #expect(error?.message.contains(key) == false)
    let reason = try #require(error?.stopReason)
    #expect(reason.contains("rejected the API key"))
    #expect(reason.contains("PAPERSIFT_TEST_KEY"))
    #expect(!reason.contains(key))
    #expect(server.requests.count == 1)
  }

  static let quotaBodies = [
    """
    {
        "error": {
            "message": "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
            "type": "insufficient_quota",
            "param": null,
            "code": "insufficient_quota"
        }
    }
    """,
    #"{"error": {"message": "Quota exceeded.", "type": "insufficient_quota", "code": null}}"#,
    #"{"error": {"message": "Quota exceeded.", "type": "billing", "code": "insufficient_quota"}}"#,
  ]

  @Test(arguments: quotaBodies)
  func exhaustedQuotaIsNotRetried(body: String) throws {
    let server = try LoopbackHTTPServer { _ in
      .text(
        body, status: 429,
        headers: [("Retry-After", "0"), ("Content-Type", "application/json")])
    }
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = "PAPERSIFT_TEST_KEY"
    settings.retryBaseDelay = 0.01
    let client = try ChatClient(
      settings: settings, environment: ["PAPERSIFT_TEST_KEY": "sk-quota"])
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.kind == .quotaExhausted)
    #expect(error?.message.contains("HTTP status 429") == true)
    #expect(error?.message.contains("no quota left (insufficient_quota)") == true)
    #expect(error?.message.contains("Check its plan and billing") == true)
    #expect(error?.stopReason?.contains("plan and billing") == true)
    #expect(server.requests.count == 1)
  }

  @Test func badRequestSuggestsJSONModeOff() throws {
    let server = try LoopbackHTTPServer { _ in
      .json(#"{"error": "unknown field response_format"}"#, status: 400)
    }
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = ""
    let client = try ChatClient(settings: settings, environment: [:])
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.message.contains("unknown field response_format") == true)
    #expect(error?.message.hasSuffix("set llm.jsonMode to false.") == true)
    #expect(server.requests.count == 1)
  }

  @Test func responseThatIsNotACompletionIsRejected() throws {
    let server = try LoopbackHTTPServer { _ in .text("<html>proxy login</html>") }
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = ""
    let client = try ChatClient(settings: settings, environment: [:])
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(
      error?.message.hasSuffix(
        "not a chat completion: proxy login. Check llm.baseURL and that the server speaks the "
          + "OpenAI API.") == true, "\(error?.message ?? "")")
  }

  @Test func echoedKeyIsRedacted() throws {
    let key = "sk-echo-\(UUID().uuidString)"
    let server = try LoopbackHTTPServer { request in
      .text("invalid key \(request.headers["authorization"] ?? "")", status: 500)
    }
    defer { server.stop() }
    var settings = LLMSettings()
    settings.baseURL = server.baseURL + "/v1"
    settings.apiKeyVariable = "PAPERSIFT_TEST_KEY"
    settings.maxAttempts = 1
    let client = try ChatClient(settings: settings, environment: ["PAPERSIFT_TEST_KEY": key])
    let error = #expect(throws: ChatRequestError.self) {
      try client.complete(Self.messages, maxOutputTokens: 100)
    }
    #expect(error?.message.contains("invalid key Bearer [redacted]") == true)
    #expect(error?.message.contains(key) == false)
  }
}
