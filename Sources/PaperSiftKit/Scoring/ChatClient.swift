import Foundation

/// One message of a chat-completions request.
public struct ChatMessage: Codable, Sendable, Equatable {
  public var role: String
  public var content: String

  public init(role: String, content: String) {
    self.role = role
    self.content = content
  }
}

/// The parts of a chat-completions response that scoring uses.
public struct ChatCompletion: Sendable, Equatable {
  /// The text of the first choice; empty when the server sent none.
  public var content: String
  public var usage: TokenUsage
  /// `stop`, or `length` when the output hit the token ceiling.
  public var finishReason: String?
  /// The model name that the server reports.
  public var model: String?
}

/// A client of `POST {baseURL}/chat/completions` on OpenAI-compatible
/// servers (OpenAI, Ollama, vLLM, llama.cpp), over ``HTTPClient``.
///
/// The API key is read once from the environment variable that the settings
/// name and is sent only in the `Authorization` header. Messages of the
/// errors this client throws or logs have the key replaced by `[redacted]`,
/// in case a server echoes it.
///
/// See https://platform.openai.com/docs/api-reference/chat/create.
public struct ChatClient: Sendable {
  public let settings: LLMSettings
  private let apiKey: String?
  private let http: HTTPClient
  private let logger = Logger(label: "llm")
  /// The opening of every failed-request message, which unscored reasons drop.
  static let failurePrefix = "The LLM request failed: "

  /// Creates a client and reads the API key from `environment`.
  ///
  /// - Throws: ``PaperSiftError`` with code `configuration` when the settings
  ///   are invalid, or when a server that is not on this machine needs a key
  ///   and the named variable is unset.
  public init(
    settings: LLMSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
    http: HTTPClient = HTTPClient()
  ) throws {
    try settings.validate()
    let variable = settings.apiKeyVariable
    let key = variable.isEmpty ? nil : environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    if key == nil, !variable.isEmpty, !settings.isLocalServer {
      throw PaperSiftError(
        .configuration,
        "The environment variable \(variable) that llm.apiKeyVariable names is not set. "
          + "Export your API key in it, or set llm.apiKeyVariable to \"\" for a server "
          + "that needs no key.")
    }
    self.settings = settings
    self.apiKey = key
    self.http = http
  }

  /// The URL that requests go to.
  public var endpoint: String {
    var base = settings.baseURL
    while base.hasSuffix("/") { base.removeLast() }
    return base + "/chat/completions"
  }

  /// Returns the JSON body of a request for `messages`.
  ///
  /// Reasoning models get `max_completion_tokens`, no `temperature` and the
  /// configured `reasoning_effort`, as OpenAI's API takes for them; other
  /// models get `max_tokens` and `temperature`.
  public func requestBody(messages: [ChatMessage], maxOutputTokens: Int) throws -> Data {
    var body = RequestBody(model: settings.model, messages: messages)
    if settings.isReasoningModel {
      body.maxCompletionTokens = maxOutputTokens
      body.reasoningEffort = settings.reasoningEffort
    } else {
      body.maxTokens = maxOutputTokens
      body.temperature = settings.temperature
    }
    if settings.jsonMode {
      body.responseFormat = ["type": "json_object"]
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(body)
  }

  /// Sends `messages` and returns the first choice and the token usage.
  ///
  /// Retries 408, 429, 5xx, timeouts and dropped connections with exponential
  /// backoff and jitter, honouring `Retry-After`, up to `maxAttempts`.
  ///
  /// - Throws: ``PaperSiftError`` with code `llm` when the attempts run out,
  ///   the status is not worth retrying, or the response is not a chat
  ///   completion.
  public func complete(_ messages: [ChatMessage], maxOutputTokens: Int) throws -> ChatCompletion {
    var headers = [("Content-Type", "application/json"), ("Accept", "application/json")]
    if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
    let request = HTTPRequest(
      url: endpoint, method: "POST", headers: headers,
      body: try requestBody(messages: messages, maxOutputTokens: maxOutputTokens),
      connectTimeout: settings.connectTimeout, totalTimeout: settings.requestTimeout)
    let policy = RetryPolicy(
      maxAttempts: settings.maxAttempts, baseDelay: settings.retryBaseDelay,
      maxDelay: settings.retryMaxDelay, retryStatuses: Set([408, 429] + Array(500...599)))

    let response: HTTPResponse
    do {
      response = try http.send(request, retrying: policy) { attempt, error, delay in
        logger.warning(
          "LLM request failed; retrying",
          [
            ("attempt", "\(attempt)"), ("max_attempts", "\(policy.maxAttempts)"),
            ("delay_s", String(format: "%.2f", delay)), ("error", redacted(error.description)),
          ])
      }
    } catch let error as HTTPError {
      var message = Self.failurePrefix + error.description
      if error.kind == .status(400), settings.jsonMode {
        message += " If the server rejects response_format, set llm.jsonMode to false."
      }
      throw PaperSiftError(.llm, redacted(message))
    }
    return try decode(response)
  }

  private func decode(_ response: HTTPResponse) throws -> ChatCompletion {
    let decoded: ResponseBody
    do {
      decoded = try JSONDecoder().decode(ResponseBody.self, from: response.body)
    } catch {
      let excerpt = CurlTransfer.excerpt(of: response.body)
      throw PaperSiftError(
        .llm,
        redacted(
          "The server at \(endpoint) returned a response that is not a chat completion: "
            + "\(excerpt). Check llm.baseURL and that the server speaks the OpenAI API."))
    }
    guard let choice = decoded.choices.first else {
      throw PaperSiftError(
        .llm, "The server at \(endpoint) returned a chat completion without choices.")
    }
    if decoded.usage == nil {
      logger.warning("LLM response has no usage; counting 0 tokens", [("model", settings.model)])
    }
    let usage = TokenUsage(
      promptTokens: decoded.usage?.promptTokens ?? 0,
      completionTokens: decoded.usage?.completionTokens ?? 0,
      cachedPromptTokens: decoded.usage?.promptTokensDetails?.cachedTokens ?? 0)
    // A server may echo the request's key; it must not reach the scores or the digest.
    return ChatCompletion(
      content: redacted(choice.message?.content ?? ""), usage: usage,
      finishReason: choice.finishReason,
      model: decoded.model)
  }

  /// Returns `text` with every occurrence of the API key replaced.
  func redacted(_ text: String) -> String {
    guard let apiKey, !apiKey.isEmpty else { return text }
    return text.replacingOccurrences(of: apiKey, with: "[redacted]")
  }
}

private struct RequestBody: Encodable {
  var model: String
  var messages: [ChatMessage]
  var temperature: Double?
  var maxTokens: Int?
  var maxCompletionTokens: Int?
  var responseFormat: [String: String]?
  var reasoningEffort: String?
  var stream = false

  enum CodingKeys: String, CodingKey {
    case model, messages, temperature, stream
    case maxTokens = "max_tokens"
    case maxCompletionTokens = "max_completion_tokens"
    case responseFormat = "response_format"
    case reasoningEffort = "reasoning_effort"
  }
}

private struct ResponseBody: Decodable {
  struct Choice: Decodable {
    struct Message: Decodable {
      var content: String?
    }
    var message: Message?
    var finishReason: String?

    enum CodingKeys: String, CodingKey {
      case message
      case finishReason = "finish_reason"
    }
  }

  struct Usage: Decodable {
    struct PromptDetails: Decodable {
      var cachedTokens: Int?

      enum CodingKeys: String, CodingKey {
        case cachedTokens = "cached_tokens"
      }
    }
    var promptTokens: Int?
    var completionTokens: Int?
    var promptTokensDetails: PromptDetails?

    enum CodingKeys: String, CodingKey {
      case promptTokens = "prompt_tokens"
      case completionTokens = "completion_tokens"
      case promptTokensDetails = "prompt_tokens_details"
    }
  }

  var model: String?
  var choices: [Choice]
  var usage: Usage?
}
