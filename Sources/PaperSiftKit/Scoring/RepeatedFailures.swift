import Foundation

/// The way a response gave no paper of its batch a valid score.
enum UnusableAnswer: Sendable, Equatable, CustomStringConvertible {
  /// The answer contained no JSON object, such as a refusal in prose.
  case notJSON
  /// Every entry named an id that is not in the batch.
  case unknownIDs
  /// Every entry for the batch had a score that is not an integer from 1 to 10.
  case invalidScores
  /// The answer was JSON without an entry for any paper.
  case noEntries
  /// The answer was cut off before its first complete entry.
  case cutOff

  /// Returns the way a complete answer parsed as `answer` is unusable, or
  /// nil when some paper got a score.
  init?(_ answer: ParsedAnswer) {
    switch answer.wholeAnswerFault {
    case nil: return nil
    case .answerNotJSON: self = .notJSON
    case .unknownIDs: self = .unknownIDs
    case .invalidScore: self = .invalidScores
    default: self = .noEntries
    }
  }

  /// The cause as the scorer's log names it.
  var description: String {
    switch self {
    case .notJSON: "\(UnscoredReason.answerNotJSON)"
    case .unknownIDs: "\(UnscoredReason.unknownIDs)"
    case .invalidScores: "\(UnscoredReason.invalidScore)"
    case .noEntries: "no entry for any paper"
    case .cutOff: "\(UnscoredReason.answerCutOff)"
    }
  }
}

/// The failures of the latest requests of a scoring session, which stop the
/// LLM stage once ``limit`` batches in a row fail the same way, because
/// every later batch would most likely fail so too and may be paid for.
///
/// Four kinds of failure form a run. They are replies unusable in the same
/// way, and 2xx responses that are no chat completion in any way
/// (``UnusableResponse``). They are also requests that failed after every
/// attempt with a server error (HTTP 5xx) or a rate limit (HTTP 429), and
/// requests that failed with the same status that rejects the request. Such statuses are HTTP 4xx, such as 404
/// for an unknown model, and HTTP 501 and 505, with which a server reports
/// that it does not support the request. The kinds of unusable response
/// count together, because a proxy may return a stream one time and an HTML
/// page the next. A batch that ends one way ends the runs of the other
/// kinds, and a reply that gives some paper a score ends all of them. HTTP 408
/// does not count, because it passes with time. HTTP 401, 403 and 429 for an
/// exhausted quota stop the stage at once (``ChatRequestError/stopReason``).
struct RepeatedFailures {
  /// The batches in a row that stop the stage.
  static let limit = 2

  /// A way a batch failed that counts towards a run.
  private enum Failure: Equatable {
    case answer(UnusableAnswer)
    /// A 2xx response that is no chat completion, in any of the ways
    /// ``responseKinds`` lists.
    case response
    /// A status that rejects the request itself (``isRequestError(_:)``).
    case requestError(status: Int)
    /// HTTP 5xx or 429 after every attempt, whichever the status.
    case serverError
  }

  /// The failure of the latest batch, nil when it ended every run.
  private var latest: Failure?
  /// The batches in a row, the latest included, that failed as ``latest``.
  private var count = 0
  /// The HTTP statuses of the latest requests in a row that failed with a
  /// server error or a rate limit after every attempt.
  private(set) var serverErrorStatuses: [Int] = []
  /// The ways the latest 2xx responses in a row were no chat completion,
  /// each once, in the order they first came.
  private(set) var responseKinds: [UnusableResponse] = []

  /// Records an answered request.
  ///
  /// - Parameter unusable: How the answer is unusable, or nil when it gave
  ///   some paper a score.
  /// - Returns: Whether it is the ``limit``-th unusable answer in a row of
  ///   the same kind.
  mutating func recordAnswer(_ unusable: UnusableAnswer?) -> Bool {
    record(unusable.map(Failure.answer))
  }

  /// Records a 2xx response that is no chat completion with a choice.
  ///
  /// - Returns: Whether it is the ``limit``-th such response in a row, of
  ///   any kind. ``responseStopReason(settings:endpoint:)`` then gives the
  ///   reason to stop.
  mutating func recordResponse(_ unusable: UnusableResponse) -> Bool {
    if latest != .response { responseKinds = [] }
    if !responseKinds.contains(unusable) { responseKinds.append(unusable) }
    return record(.response)
  }

  /// Records a failed request.
  ///
  /// - Parameter status: The HTTP status of the last attempt, nil when no
  ///   response arrived.
  /// - Returns: Whether it is the ``limit``-th server error or rate limit
  ///   (HTTP 5xx or 429 after every attempt) in a row, or the ``limit``-th
  ///   request error (``isRequestError(_:)``) in a row with the same status.
  ///   ``failureStopReason(settings:endpoint:)`` then gives the reason to stop.
  mutating func recordFailure(status: Int?) -> Bool {
    guard let status else { return record(nil) }
    if !Self.isRequestError(status), (500...599).contains(status) || status == 429 {
      if latest != .serverError { serverErrorStatuses = [] }
      serverErrorStatuses.append(status)
      return record(.serverError)
    }
    return record(Self.isRequestError(status) ? .requestError(status: status) : nil)
  }

  /// Returns whether `status` rejects the request itself, so that every
  /// later batch would get it too: HTTP 4xx other than 408 and 429, and the
  /// ``RetryPolicy/unsupportedStatuses`` 501 and 505.
  static func isRequestError(_ status: Int) -> Bool {
    let clientError = (400...499).contains(status) && status != 408 && status != 429
    return clientError || RetryPolicy.unsupportedStatuses.contains(status)
  }

  /// Counts `failure`, or ends every run for nil, and returns whether it
  /// completes a run of ``limit``.
  private mutating func record(_ failure: Failure?) -> Bool {
    if failure != .serverError { serverErrorStatuses = [] }
    if failure != .response { responseKinds = [] }
    guard let failure else {
      latest = nil
      count = 0
      return false
    }
    count = failure == latest ? count + 1 : 1
    latest = failure
    return count == Self.limit
  }

  /// Returns the reason to store for papers left unsent after ``limit``
  /// answers in a row were unusable in the way `kind` names.
  static func stopReason(
    after kind: UnusableAnswer, settings: LLMSettings, endpoint: String
  ) -> String {
    let answers = "the answers to \(limit) batches in a row"
    let check =
      "so later batches would be paid for nothing. Check that llm.model ('\(settings.model)') "
      + "names a model that follows the scoring prompt, that the topics file in the prompt "
      + "gives it no cause to refuse, and that the server at \(endpoint) runs that model."
    switch kind {
    case .notJSON:
      return "\(answers) were not JSON (the log quotes how each began), \(check)"
    case .unknownIDs:
      return "\(answers) named only arXiv ids that were not in the batch, \(check)"
    case .invalidScores:
      return "\(answers) gave no paper a relevance and novelty from 1 to 10, \(check)"
    case .noEntries:
      return "\(answers) had no entry for any paper of the batch, \(check)"
    case .cutOff:
      return "\(answers) were cut off before their first complete entry, so later batches "
        + "would be paid for nothing. Raise llm.maxOutputTokens (now \(settings.maxOutputTokens), "
        + "which a reasoning model shares with its reasoning) or lower llm.batchSize (now "
        + "\(settings.batchSize))."
    }
  }

  /// Returns the reason to store for papers left unsent after
  /// ``recordResponse(_:)`` returned true: ``limit`` 2xx responses in a row
  /// were no chat completion, in the ways ``responseKinds`` names.
  func responseStopReason(settings: LLMSettings, endpoint: String) -> String {
    let kinds = responseKinds.map(\.description)
    let returned =
      kinds.count == 1
      ? "returned \(kinds[0]) to \(Self.limit) batches in a row"
      : "returned no chat completion to \(Self.limit) batches in a row ("
        + kinds.joined(separator: ", then ") + ")"
    let opening =
      "the server at \(endpoint) \(returned), with no answer to score, so later batches would "
      + "most likely get the same and may be paid for nothing. "
    // An empty body and a body that is no chat completion share their advice.
    var advice: [String] = []
    for kind in responseKinds {
      let text = Self.advice(for: kind, settings: settings)
      if !advice.contains(text) { advice.append(text) }
    }
    return opening + advice.joined(separator: " ")
  }

  /// Returns what to check after 2xx responses that are no chat completion
  /// in the way `kind` names.
  private static func advice(for kind: UnusableResponse, settings: LLMSettings) -> String {
    switch kind {
    case .emptyBody, .notChatCompletion:
      return "Check that llm.baseURL is the base of an OpenAI-compatible API, the URL before "
        + "/chat/completions, and the server's log."
    case .eventStream:
      return "PaperSift asks for one JSON response (\"stream\": false). Check that the server, "
        + "or a proxy in front of it, does not stream its responses."
    case .noChoices:
      return "Check that llm.model ('\(settings.model)') names a model that this server serves, "
        + "and the server's log for why it returned no choices."
    }
  }

  /// Returns the reason to store for papers left unsent after
  /// ``recordFailure(status:)`` returned true: ``limit`` requests in a row
  /// failed with the same request error, or with server errors.
  ///
  /// It names the status, the model and the settings to check, never the API key.
  func failureStopReason(settings: LLMSettings, endpoint: String) -> String {
    if case .requestError(let status)? = latest, count >= Self.limit {
      let opening =
        "the server at \(endpoint) answered HTTP status \(status) to \(Self.limit) batches in a "
        + "row, so later batches would most likely fail the same way. "
      let closing = " The digest lists the papers of the failed batches with the server's response."
      if RetryPolicy.unsupportedStatuses.contains(status) {
        return opening + "The server does not support the request. Check that llm.baseURL is "
          + "the base of an OpenAI-compatible API, the URL before /chat/completions, and that "
          + "the server there supports the chat completions API." + closing
      }
      guard status == 400 else {
        return opening + "Check that llm.model ('\(settings.model)') names a model that this "
          + "server serves, and that llm.baseURL is the base of its OpenAI-compatible API, the "
          + "URL before /chat/completions." + closing
      }
      // A 400 rejects the request's content, so its settings come first.
      var reason =
        opening + "The server rejected the request itself: its response names the cause. A "
        + "prompt longer than the model's context needs a lower llm.batchSize (now "
        + "\(settings.batchSize)) or llm.maxOutputTokens (now \(settings.maxOutputTokens))."
      if settings.jsonMode {
        reason += " If the server rejects response_format, set llm.jsonMode to false."
      }
      return reason + " Check too that llm.model ('\(settings.model)') names a model that this "
        + "server serves." + closing
    }
    let distinct = serverErrorStatuses.reduce(into: [Int]()) { list, status in
      if !list.contains(status) { list.append(status) }
    }
    let statuses =
      distinct.count == 1
      ? "HTTP status \(distinct[0])"
      : "HTTP statuses " + distinct.map(String.init).joined(separator: " and ")
    var reason =
      "the server at \(endpoint) answered \(statuses) to \(Self.limit) batches in a row, "
      + "after \(settings.maxAttempts) attempts each, so later batches would most likely fail "
      + "too. Check the server's log or the provider's status page, then run again: the next "
      + "run of the night sends the papers that have no score."
    if distinct.contains(429) {
      reason +=
        " HTTP 429 is the provider's rate limit: wait before the next run, or lower "
        + "llm.batchSize (now \(settings.batchSize)) so that each request asks for fewer tokens."
    }
    return reason
  }
}
