import Foundation

@testable import PaperSiftKit

/// The scripted reply of the fake chat server to one request.
enum FakeReply: Sendable {
  /// One JSON object per line for every paper of the request.
  case wellFormed
  /// The lines inside a ```json fence, with prose before and after.
  case fenced
  /// `{"papers": [...]}`, the form that JSON mode requests.
  case jsonObject
  /// Every line, the last one cut in the middle.
  case truncatedMidLine
  /// The first `keep` lines and half of the next, with `finish_reason`
  /// `length`, as a model stopped by its output limit sends it.
  case cutAtLength(keep: Int)
  /// Every line plus two for ids that were not in the request.
  case foreignIDs
  /// One line for each paper, each with the id 2501.0000N in place of the
  /// paper's, so that no id is in the request.
  case onlyForeignIDs
  /// Every line except the one for this paper id, in the `{"papers": [...]}`
  /// form, so that a request for that paper alone gets `{"papers": []}`.
  case missing(String)
  /// Every line, with a relevance of 11 for this paper id.
  case scoreOfEleven(String)
  /// Status 429 with `Retry-After` in seconds.
  case rateLimited(retryAfter: Int)
  /// Status 429 with `Retry-After: 0` and the body OpenAI sends when the
  /// account has no credit left.
  case quotaExhausted
  /// Status 500 with this body.
  case serverError(String)
  /// This status, such as 404, with this body.
  case errorStatus(Int, body: String)
  /// This error status with the request's `Authorization` header in the
  /// body, as a careless server or proxy might send it.
  case errorEchoingKey(status: Int)
  /// A well-formed reply sent after this many seconds.
  case tooSlow(Double)
  /// This text as the message content.
  case content(String)
  /// Status 200 and a chat completion whose `choices` list is empty, with
  /// the usage of a well-formed reply.
  case noChoices
  /// Status 200 and a well-formed reply as server-sent events of 40
  /// characters of content each, with the usage in an event of its own
  /// before `data: [DONE]`, as OpenAI streams with `include_usage`.
  case eventStream
  /// Status 200 and an empty body.
  case emptyBody
  /// Status 200 and the HTML page of a proxy, as `text/html`.
  case htmlPage
}

/// A chat-completions endpoint on a real loopback socket, for tests.
///
/// It reads the paper ids from the `<<<PAPER id>>>` markers of the request's
/// user message and replies as the script returns for each request, numbered
/// from 1. Scores are a fixed function of the id, so tests can check them.
/// Every answer that has a body carries a `usage` object, unless the server
/// was started with `reportsUsage` false.
final class FakeChatServer: @unchecked Sendable {
  typealias Script = @Sendable (_ request: Int, _ ids: [String]) -> FakeReply

  let server: LoopbackHTTPServer
  private let counter = Counter()

  /// The base URL to put in `LLMSettings.baseURL`.
  var baseURL: String { server.baseURL + "/v1" }
  var requests: [RecordedRequest] { server.requests }

  /// Starts a server that replies to each request as `script` returns, with
  /// `usage` in every reply. Without `usage`, prompt tokens are the body's
  /// characters over 4, completion tokens the content's, and from the second
  /// request on the system message counts as cached. With `reportsUsage`
  /// false, the replies have no `usage` object.
  init(usage: TokenUsage? = nil, reportsUsage: Bool = true, script: @escaping Script) throws {
    let counter = self.counter
    server = try LoopbackHTTPServer { request in
      let number = counter.increment()
      let (system, user) = FakeChatServer.messages(in: request.body)
      let ids = FakeChatServer.paperIDs(in: user)
      let reply = script(number, ids)
      let reported =
        usage
        ?? TokenUsage(
          promptTokens: request.body.count / 4, completionTokens: 0,
          cachedPromptTokens: number > 1 ? system.count / 4 : 0)
      if case .errorEchoingKey(let status) = reply {
        let header = request.headers["authorization"] ?? "none"
        return .json(#"{"error": "Incorrect API key provided: \#(header)"}"#, status: status)
      }
      return FakeChatServer.response(reply, ids: ids, usage: reportsUsage ? reported : nil)
    }
  }

  /// Starts a server that sends `replies` in turn, then `then` to every later request.
  convenience init(
    replies: [FakeReply], then fallback: FakeReply = .wellFormed, usage: TokenUsage? = nil,
    reportsUsage: Bool = true
  ) throws {
    try self.init(usage: usage, reportsUsage: reportsUsage) { number, _ in
      number <= replies.count ? replies[number - 1] : fallback
    }
  }

  func stop() { server.stop() }

  /// The paper ids in each request received, in order.
  var idsPerRequest: [[String]] {
    requests.map { FakeChatServer.paperIDs(in: FakeChatServer.messages(in: $0.body).user) }
  }

  static func relevance(of id: String) -> Int { digitSum(id) % 10 + 1 }
  static func novelty(of id: String) -> Int { (digitSum(id) * 7) % 10 + 1 }

  static func line(for id: String, relevance: Int? = nil) -> String {
    let score = relevance ?? self.relevance(of: id)
    return #"{"ARXIVID": "\#(id)", "COMMENT": "Matches {topic} \"\#(id)\".", "#
      + #""RELEVANCE": \#(score), "NOVELTY": \#(novelty(of: id))}"#
  }

  private static func digitSum(_ id: String) -> Int {
    id.compactMap(\.wholeNumberValue).reduce(0, +)
  }

  private static func messages(in body: Data) -> (system: String, user: String) {
    struct Body: Decodable { var messages: [ChatMessage] }
    let messages = (try? JSONDecoder().decode(Body.self, from: body))?.messages ?? []
    let system = messages.first { $0.role == "system" }?.content ?? ""
    let user = messages.first { $0.role == "user" }?.content ?? ""
    return (system, user)
  }

  private static func paperIDs(in user: String) -> [String] {
    user.matches(of: /<<<PAPER (\S+)>>>/).map { String($0.1) }
  }

  private static func response(_ reply: FakeReply, ids: [String], usage: TokenUsage?)
    -> ScriptedResponse
  {
    let lines = ids.map { line(for: $0) }
    let content: String
    var finishReason = "stop"
    var delay = 0.0
    switch reply {
    case .wellFormed:
      content = lines.joined(separator: "\n")
    case .fenced:
      content = "Here are the scores:\n```json\n" + lines.joined(separator: "\n") + "\n```\nDone."
    case .jsonObject:
      content = "{\"papers\": [\n" + lines.joined(separator: ",\n") + "\n]}"
    case .truncatedMidLine:
      let last = lines.last ?? ""
      content = (lines.dropLast() + [String(last.prefix(last.count / 2))]).joined(separator: "\n")
    case .cutAtLength(let keep):
      let next = lines.count > keep ? [String(lines[keep].prefix(lines[keep].count / 2))] : []
      content = (lines.prefix(keep) + next).joined(separator: "\n")
      finishReason = "length"
    case .foreignIDs:
      content = (lines + [line(for: "2401.99999"), line(for: "arXiv:1999.00001")])
        .joined(separator: "\n")
    case .onlyForeignIDs:
      content = ids.indices.map { line(for: String(format: "2501.%05d", $0 + 1)) }
        .joined(separator: "\n")
    case .missing(let id):
      let others = ids.filter { $0 != id }.map { line(for: $0) }
      content = "{\"papers\": [\n" + others.joined(separator: ",\n") + "\n]}"
    case .scoreOfEleven(let id):
      content = ids.map { $0 == id ? line(for: $0, relevance: 11) : line(for: $0) }
        .joined(separator: "\n")
    case .rateLimited(let seconds):
      return .text(
        #"{"error": {"message": "Rate limit reached"}}"#, status: 429,
        headers: [("Retry-After", "\(seconds)"), ("Content-Type", "application/json")])
    case .quotaExhausted:
      let body = """
        {
            "error": {
                "message": "You exceeded your current quota, please check your plan and billing details.",
                "type": "insufficient_quota",
                "param": null,
                "code": "insufficient_quota"
            }
        }
        """
      return .text(
        body, status: 429,
        headers: [("Retry-After", "0"), ("Content-Type", "application/json")])
    case .serverError(let body):
      return .text(body, status: 500)
    case .errorStatus(let status, let body):
      return .text(body, status: status)
    case .errorEchoingKey(let status):
      return .text("", status: status)
    case .htmlPage:
      return .text(
        "<!DOCTYPE html>\n<html><body><h1>Welcome to the proxy</h1></body></html>\n",
        headers: [("Content-Type", "text/html; charset=utf-8")])
    case .tooSlow(let seconds):
      content = lines.joined(separator: "\n")
      delay = seconds
    case .content(let text):
      content = text
    case .noChoices, .eventStream, .emptyBody:
      content = lines.joined(separator: "\n")
    }
    var reported = usage
    if reported?.completionTokens == 0 { reported?.completionTokens = max(1, content.count / 4) }
    switch reply {
    case .emptyBody:
      return .json("")
    case .eventStream:
      return .text(
        eventStream(content: content, usage: reported),
        headers: [("Content-Type", "text/event-stream")])
    default:
      break
    }
    var response = ScriptedResponse.json(
      completionBody(
        content: content, finishReason: finishReason, usage: reported,
        hasChoice: !isNoChoices(reply)))
    response.delay = delay
    return response
  }

  private static func isNoChoices(_ reply: FakeReply) -> Bool {
    if case .noChoices = reply { return true }
    return false
  }

  private static func completionBody(
    content: String, finishReason: String, usage: TokenUsage?, hasChoice: Bool = true
  ) -> String {
    let message: [String: Any] = ["role": "assistant", "content": content]
    let choice: [String: Any] = ["index": 0, "message": message, "finish_reason": finishReason]
    var body: [String: Any] = [
      "id": "chatcmpl-test", "object": "chat.completion", "model": "fake-model",
      "choices": hasChoice ? [choice] : [],
    ]
    if let usage { body["usage"] = usageObject(usage) }
    return jsonText(body)
  }

  private static func usageObject(_ usage: TokenUsage) -> [String: Any] {
    [
      "prompt_tokens": usage.promptTokens, "completion_tokens": usage.completionTokens,
      "total_tokens": usage.promptTokens + usage.completionTokens,
      "prompt_tokens_details": ["cached_tokens": usage.cachedPromptTokens],
    ]
  }

  /// Returns `content` as the `data:` events of a streamed chat completion,
  /// with `usage` in an event of its own before `[DONE]`.
  private static func eventStream(content: String, usage: TokenUsage?) -> String {
    let characters = Array(content)
    var events = stride(from: 0, to: characters.count, by: 40).map { start in
      let piece = String(characters[start..<min(start + 40, characters.count)])
      let delta: [String: Any] = [
        "choices": [["index": 0, "delta": ["content": piece], "finish_reason": NSNull()]]
      ]
      return jsonText(delta)
    }
    if let usage {
      events.append(jsonText(["choices": [Any](), "usage": usageObject(usage)]))
    }
    events.append("[DONE]")
    return events.map { "data: \($0)\n\n" }.joined()
  }

  private static func jsonText(_ object: [String: Any]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }

  /// Waits until the server has received `count` requests, for at most
  /// `timeout` seconds, and returns whether it did.
  @discardableResult
  func waitForRequests(_ count: Int, timeout: TimeInterval = 240) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while requests.count < count, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    return requests.count >= count
  }
}

/// Databases in temporary folders and papers for scoring tests.
enum ScoringFixtures {
  /// Opens a new database file in a new temporary folder.
  static func database() throws -> Database {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-scoring-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return try Database(path: folder.appendingPathComponent("papersift.sqlite").path)
  }

  /// Returns `count` papers with ids 2505.10001, 2505.10002, and so on.
  static func papers(_ count: Int, abstract: String = "We study sparse mixtures of experts.")
    -> [Paper]
  {
    (1...max(1, count)).prefix(count).map { index in
      Paper(
        id: "2505.\(10000 + index)", title: "Paper number \(index)", abstract: abstract,
        authors: ["Ada Lovelace", "Alan Turing"], categories: ["cs.LG"])
    }
  }

  /// Settings that point at `server` with fast retries and no key.
  static func settings(for server: FakeChatServer, batchSize: Int = 20) -> LLMSettings {
    var settings = LLMSettings()
    settings.baseURL = server.baseURL
    settings.apiKeyVariable = ""
    settings.batchSize = batchSize
    settings.maxAttempts = 3
    settings.retryBaseDelay = 0.05
    settings.retryMaxDelay = 0.2
    settings.requestTimeout = 5
    return settings
  }

  /// The repository's `Data/` folder.
  static var dataFolder: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data")
  }

  static let topics = "## Relevant Topics\n\n1. Mixture-of-Experts and sparsity.\n"
}
