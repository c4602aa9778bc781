import CCurl
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
  /// The tokens that the response reports, 0 for a count it leaves out.
  public var usage: TokenUsage
  /// Whether the response's `usage` has both `prompt_tokens` and
  /// `completion_tokens`. Some proxies and older llama.cpp and vLLM servers
  /// send no `usage`.
  public var usageReported = true
  /// `stop`, or `length` when the output hit the token ceiling.
  public var finishReason: String?
  /// The model name that the server reports.
  public var model: String?
}

/// A failed chat-completions request.
public struct ChatRequestError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable, Equatable {
    /// The server rejected the API key with HTTP 401 or 403.
    case keyRejected
    /// The server returned HTTP 429 with `insufficient_quota`.
    case quotaExhausted
    /// The server sent a `Retry-After` longer than the client waits.
    case retryAfterTooLong
    /// Every attempt timed out or had its connection refused.
    case unreachable
    /// Any other failure, such as an error status after every attempt or a
    /// response that is not a chat completion.
    case failed
  }

  public var kind: Kind
  /// The failure and the next step, with the API key and URL credentials removed.
  public var message: String
  /// The HTTP status of the last attempt, or nil when no response arrived.
  public var status: Int?
  /// The reason later requests of the run are not sent, because they would
  /// fail the same way, or nil when they may succeed.
  public var stopReason: String?
  /// The kind of 2xx response that was no chat completion with a choice, or
  /// nil when the request failed without such a response. The server
  /// responded, so the provider may bill the request.
  public var unusableResponse: UnusableResponse?
  /// The tokens that the unusable response reports, or nil when it reports
  /// no `usage` with both `prompt_tokens` and `completion_tokens`.
  public var reportedUsage: TokenUsage?

  public var description: String { message }
}

/// A client of `POST {baseURL}/chat/completions` on OpenAI-compatible
/// servers (OpenAI, Ollama, vLLM, llama.cpp), over ``HTTPClient``.
///
/// The API key is read once from the environment variable that the settings
/// name and is sent only in the `Authorization` header. Messages of the
/// errors this client throws or logs have the key replaced by `[redacted]`,
/// in case a server echoes it, and show the endpoint without the user name
/// and password of `llm.baseURL`.
///
/// See https://platform.openai.com/docs/api-reference/chat/create.
public struct ChatClient: Sendable {
  public let settings: LLMSettings
  private let apiKey: String?
  private let redaction: SecretRedaction
  private let http: HTTPClient
  let logger = Logger(label: "llm")
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
    self.redaction = SecretRedaction(apiKey: key, url: settings.baseURL)
    self.http = http
  }

  /// The URL that requests go to.
  public var endpoint: String {
    var base = settings.baseURL
    while base.hasSuffix("/") { base.removeLast() }
    return base + "/chat/completions"
  }

  /// The endpoint for messages and logs, without the user name and password
  /// that `llm.baseURL` may contain.
  public var displayEndpoint: String {
    SecretRedaction.displayURL(endpoint)
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
  /// backoff and jitter, honouring `Retry-After`, up to `maxAttempts`. A 429
  /// for an exhausted quota is not retried, and neither are 501 and 505,
  /// with which a server reports that it does not support the request.
  ///
  /// - Parameters:
  ///   - messages: The conversation to send.
  ///   - maxOutputTokens: The most tokens the model may write.
  ///   - isStopping: Checked before each retry; true stops the retries, as
  ///     when the process is ending on a signal.
  /// - Returns: The first choice's text and the token usage.
  /// - Throws: ``ChatRequestError`` when the attempts run out, the status is
  ///   not worth retrying or `isStopping` returned true, and with
  ///   ``ChatRequestError/unusableResponse`` set when a 2xx response is no
  ///   chat completion with a choice.
  public func complete(
    _ messages: [ChatMessage], maxOutputTokens: Int, isStopping: () -> Bool = { false }
  ) throws -> ChatCompletion {
    var headers = [("Content-Type", "application/json"), ("Accept", "application/json")]
    if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
    let request = HTTPRequest(
      url: endpoint, method: "POST", headers: headers,
      body: try requestBody(messages: messages, maxOutputTokens: maxOutputTokens),
      connectTimeout: settings.connectTimeout, totalTimeout: settings.requestTimeout)
    let policy = retryPolicy

    let response: HTTPResponse
    var everyAttemptUnreachable = true
    do {
      response = try http.send(
        request, retrying: policy,
        onRetry: { attempt, error, delay in
          if !Self.isUnreachable(error) { everyAttemptUnreachable = false }
          logger.warning(
            "LLM request failed; retrying",
            [
              ("attempt", "\(attempt)"), ("max_attempts", "\(policy.maxAttempts)"),
              ("delay_s", String(format: "%.2f", delay)), ("error", describe(error)),
            ])
        }, isStopping: isStopping)
    } catch let error as HTTPError {
      throw failure(error, everyAttemptUnreachable: everyAttemptUnreachable)
    }
    return try decode(response)
  }

  /// When and how long to wait before sending a failed request again.
  var retryPolicy: RetryPolicy {
    RetryPolicy(
      maxAttempts: settings.maxAttempts, baseDelay: settings.retryBaseDelay,
      maxDelay: settings.retryMaxDelay, maxRetryAfter: settings.maxRetryAfter,
      retryStatuses: Set([408, 429] + Array(500...599)).subtracting(
        RetryPolicy.unsupportedStatuses))
  }

  /// Returns whether `error` is a timeout, a refused connection or an
  /// unknown host name, so that no server responded.
  static func isUnreachable(_ error: HTTPError) -> Bool {
    switch error.kind {
    case .timedOut: true
    case .transfer(let code):
      code == Int32(CURLE_COULDNT_CONNECT.rawValue)
        || code == Int32(CURLE_COULDNT_RESOLVE_HOST.rawValue)
    default: false
    }
  }

  /// Returns the error to throw for the last failed attempt.
  private func failure(_ error: HTTPError, everyAttemptUnreachable: Bool) -> ChatRequestError {
    let url = displayEndpoint
    var kind = ChatRequestError.Kind.failed
    var stopReason: String?
    if error.kind == .status(401) || error.kind == .status(403) {
      kind = .keyRejected
      stopReason = "the server at \(url) rejected the API key. " + keyAdvice
    } else if error.isQuotaExhausted {
      kind = .quotaExhausted
      stopReason = "the server at \(url) refused the request for lack of quota. " + Self.quotaAdvice
    } else if let seconds = retryPolicy.excessiveRetryAfter(error) {
      // Later batches would get the same 429 within the requested wait.
      kind = .retryAfterTooLong
      stopReason = "the server at \(url) " + retryAfterAdvice(seconds)
    } else if everyAttemptUnreachable, Self.isUnreachable(error) {
      kind = .unreachable
      stopReason =
        "the server at \(url) timed out or refused the connection on all "
        + "\(settings.maxAttempts) attempts of a batch. Check that it is running and that "
        + "llm.baseURL is right. A slow server needs a higher llm.requestTimeout (now "
        + "\(secondsText(settings.requestTimeout))), and a lower llm.maxAttempts (now "
        + "\(settings.maxAttempts)) shortens the wait for one that is down."
    }
    var status: Int?
    if case .status(let code) = error.kind { status = code }
    return ChatRequestError(
      kind: kind, message: Self.failurePrefix + describe(error), status: status,
      stopReason: stopReason.map(redacted))
  }

  /// Describes `error` with the `llm` setting or the account step that fixes
  /// it, redacted, for the thrown error and the retry log.
  private func describe(_ error: HTTPError) -> String {
    let url = displayEndpoint
    let text: String
    switch error.kind {
    case .status(let status) where status == 401 || status == 403:
      text = statusText(error, status) + keyAdvice
    case .status(let status) where error.isQuotaExhausted:
      text = statusText(error, status) + Self.quotaAdvice
    case .status(let status) where retryPolicy.excessiveRetryAfter(error) != nil:
      let seconds = retryPolicy.excessiveRetryAfter(error) ?? 0
      text = statusText(error, status) + "The server " + retryAfterAdvice(seconds)
    case .status(let status) where RetryPolicy.unsupportedStatuses.contains(status):
      text = statusText(error, status) + Self.unsupportedAdvice
    case .status(400) where settings.jsonMode:
      text =
        error.description + " If the server rejects response_format, set llm.jsonMode to false."
    case .timedOut:
      text =
        "Request to \(url) timed out: \(error.detail). If the server is slow, raise "
        + "llm.requestTimeout (now \(secondsText(settings.requestTimeout))). If it is down, "
        + "check llm.baseURL."
    case .transfer where Self.isUnreachable(error):
      text =
        "Request to \(url) failed: \(error.detail). Check that the server is running and that "
        + "llm.baseURL is right."
    default:
      text = error.description
    }
    return redacted(text)
  }

  /// Returns the advice for a `Retry-After` of `seconds`, to follow "The server ".
  private func retryAfterAdvice(_ seconds: Double) -> String {
    retryPolicy.retryAfterAdvice(seconds, setting: "llm.maxRetryAfter")
  }

  /// The advice for HTTP 501 and 505, which a server sends for a method or
  /// path it does not serve, such as a web server that is not an LLM API.
  static let unsupportedAdvice =
    "The server does not support this request, so it was not retried. Check that llm.baseURL "
    + "is the base of an OpenAI-compatible API, the URL before /chat/completions, and that "
    + "the server there supports the chat completions API."

  private static let quotaAdvice =
    "The account behind the API key has no quota left (insufficient_quota). Check its plan "
    + "and billing with the provider, then run again."

  /// Returns `Request to URL failed with HTTP status N: BODY. ` for a status error.
  private func statusText(_ error: HTTPError, _ status: Int) -> String {
    "Request to \(displayEndpoint) failed with HTTP status \(status)\(error.detailClause). "
  }

  /// The advice for a rejected key, which names its variable but never shows the key.
  private var keyAdvice: String {
    let variable = settings.apiKeyVariable
    if variable.isEmpty {
      return "No API key was sent, because llm.apiKeyVariable is empty. Set it to the name "
        + "of the environment variable that contains the key."
    }
    if apiKey == nil {
      return "No API key was sent, because the environment variable \(variable) that "
        + "llm.apiKeyVariable names is not set. Export the key in it."
    }
    return "Check the API key in the environment variable \(variable) that "
      + "llm.apiKeyVariable names, and that its account may use the model '\(settings.model)'."
  }

  /// Returns `text` with the API key and the URL credentials of `llm.baseURL` removed.
  func redacted(_ text: String) -> String {
    redaction.redact(text)
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
