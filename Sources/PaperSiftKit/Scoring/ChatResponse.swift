import Foundation

/// The kind of 2xx response to a chat-completions request that is no chat
/// completion with a choice, so it contains no reply to score.
public enum UnusableResponse: Sendable, Equatable, CustomStringConvertible {
  /// The body is empty or white space.
  case emptyBody
  /// The body is a stream of server-sent events (`text/event-stream` or
  /// `data:` lines), although the request sets `stream` to false.
  case eventStream
  /// The body is not the JSON object of a chat completion, such as the HTML
  /// page of a proxy or an `error` object.
  case notChatCompletion
  /// The body is a chat completion with an empty `choices` list.
  case noChoices

  /// The response as messages name it, after "returned".
  public var description: String {
    switch self {
    case .emptyBody: "an empty body"
    case .eventStream: "a stream of server-sent events"
    case .notChatCompletion: "a response that is not a chat completion"
    case .noChoices: "a chat completion without choices"
    }
  }
}

/// Reading the body of a 2xx chat-completions response.
extension ChatClient {
  /// Returns the first choice and the token usage of a 2xx response.
  ///
  /// - Throws: ``ChatRequestError`` with ``ChatRequestError/unusableResponse``
  ///   set when the body is no chat completion with a choice. Its
  ///   ``ChatRequestError/reportedUsage`` keeps the tokens that the body
  ///   reports, also those of the last `data:` event of a stream.
  func decode(_ response: HTTPResponse) throws -> ChatCompletion {
    let body = response.body
    if body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
      throw unusable(
        .emptyBody, response,
        detail: "an empty body in place of a chat completion. Check llm.baseURL and that the "
          + "server speaks the OpenAI API.")
    }
    // A stream is named without quoting it, because its first event is a
    // long line of JSON that adds nothing to the message.
    if Self.isEventStream(response) {
      throw unusable(
        .eventStream, response, usage: Self.streamUsage(body),
        detail: "a stream of server-sent events (lines that start with \"data:\") in place of "
          + "one chat completion, although the request set \"stream\" to false. Check "
          + "llm.baseURL and that the server supports the chat completions API without "
          + "streaming.")
    }
    let excerpt = ResponseExcerpt.text(
      of: body, contentType: response.headers["content-type"],
      maxCharacters: Self.quotedResponseLength)
    let notCompletion =
      "a response that is not a chat completion: \(excerpt). Check llm.baseURL and that the "
      + "server speaks the OpenAI API."
    guard let decoded = try? JSONDecoder().decode(ResponseBody.self, from: body) else {
      throw unusable(.notChatCompletion, response, detail: notCompletion)
    }
    guard let choices = decoded.choices else {
      throw unusable(
        .notChatCompletion, response, usage: decoded.usage?.reported, detail: notCompletion)
    }
    guard let choice = choices.first else {
      throw unusable(
        .noChoices, response, usage: decoded.usage?.reported,
        detail: "a chat completion without choices. Check that llm.model "
          + "('\(settings.model)') names a model that this server serves, and the server's "
          + "log for the cause.")
    }

    let reported = decoded.usage?.reported != nil
    if !reported { logMissingUsage() }
    let usage = TokenUsage(
      promptTokens: decoded.usage?.promptTokens ?? 0,
      completionTokens: decoded.usage?.completionTokens ?? 0,
      cachedPromptTokens: decoded.usage?.promptTokensDetails?.cachedTokens ?? 0)
    // A server may echo the request's key; it must not reach the scores or the digest.
    return ChatCompletion(
      content: redacted(choice.message?.content ?? ""), usage: usage, usageReported: reported,
      finishReason: choice.finishReason,
      model: decoded.model)
  }

  /// Returns the error for a 2xx response of `kind`, whose message is "The
  /// server at URL returned " and `detail`, and logs a missing usage.
  private func unusable(
    _ kind: UnusableResponse, _ response: HTTPResponse, usage: TokenUsage? = nil,
    detail: String
  ) -> ChatRequestError {
    if usage == nil { logMissingUsage() }
    return ChatRequestError(
      kind: .failed,
      message: redacted("The server at \(displayEndpoint) returned " + detail),
      status: response.status, unusableResponse: kind, reportedUsage: usage)
  }

  private func logMissingUsage() {
    logger.warning(
      "LLM response has no usage; its tokens are counted by estimate",
      [("model", settings.model)])
  }

  /// The characters of a response that is not a chat completion that its
  /// error message quotes, few enough to keep the digest's notice short.
  static let quotedResponseLength = 160

  /// Returns whether `response` is a stream of server-sent events: its
  /// `Content-Type` is `text/event-stream`, or the first line of its body
  /// that is not blank starts an event with `data:` or `event:`.
  static func isEventStream(_ response: HTTPResponse) -> Bool {
    let contentType = response.headers["content-type"]?.lowercased() ?? ""
    if contentType.hasPrefix("text/event-stream") { return true }
    let text = String(decoding: response.body.prefix(512), as: UTF8.self)
    guard let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.isEmpty }) else {
      return false
    }
    let start = line.drop { $0 == " " || $0 == "\t" }
    return start.hasPrefix("data:") || start.hasPrefix("event:")
  }

  /// Returns the usage of the last `data:` event of a stream that reports
  /// both prompt and completion tokens, or nil when none does.
  ///
  /// OpenAI sends it in an event of its own before `data: [DONE]` when the
  /// request sets `stream_options.include_usage`, and a null `usage` in the
  /// other events, as the `ChatCompletionStreamOptions` schema of its OpenAPI
  /// specification describes.
  static func streamUsage(_ body: Data) -> TokenUsage? {
    var usage: TokenUsage?
    let text = String(decoding: body, as: UTF8.self)
    for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("data:") {
      let payload = Data(line.dropFirst("data:".count).utf8)
      // `[DONE]` is not JSON, and an event with a null `usage` reports none.
      guard let event = try? JSONDecoder().decode(StreamEvent.self, from: payload),
        let reported = event.usage?.reported
      else { continue }
      usage = reported
    }
    return usage
  }
}

/// One `data:` event of a streamed chat completion, of which only the usage is read.
private struct StreamEvent: Decodable {
  var usage: ResponseBody.Usage?
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

    /// The tokens, or nil unless both prompt and completion tokens are given.
    var reported: TokenUsage? {
      guard let promptTokens, let completionTokens else { return nil }
      return TokenUsage(
        promptTokens: promptTokens, completionTokens: completionTokens,
        cachedPromptTokens: promptTokensDetails?.cachedTokens ?? 0)
    }
  }

  var model: String?
  /// Nil when the body has no `choices`, as an `error` object sent with
  /// status 200 has none.
  var choices: [Choice]?
  var usage: Usage?
}
