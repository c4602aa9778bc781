import Foundation

/// The reason a paper that reached the LLM stage has no score.
public enum UnscoredReason: Sendable, Equatable, CustomStringConvertible {
  /// Sending its batch would have crossed the budget.
  case budget
  /// The response had no entry for it. A paper left out of an answer that
  /// scored other papers is sent once more before it gets this reason.
  case missingFromAnswer
  /// The response was cut off before a valid entry for it, at the output
  /// token limit or inside its JSON.
  case answerCutOff
  /// The response's scores for it were not integers from 1 to 10.
  case invalidScore
  /// The response contained no JSON object, such as a refusal in prose.
  case answerNotJSON
  /// The response had entries, but none with an id of the batch.
  case unknownIDs
  /// Its request failed after every attempt, or got a 2xx response that is
  /// no chat completion with a choice, with the error message.
  case requestFailed(String)
  /// Its batch was not sent because an earlier request of the run failed in
  /// a way that every later one would repeat, with the reason.
  case notSent(String)

  /// The start of the stored text of ``requestFailed(_:)``.
  static let requestFailedPrefix = "request failed: "

  /// The text stored in `unscored.reason` and shown in the digest.
  public var description: String {
    switch self {
    case .budget: "budget"
    case .missingFromAnswer: "missing from answer"
    case .answerCutOff: "answer was cut off"
    case .invalidScore: "invalid score"
    case .answerNotJSON: "answer was not JSON"
    case .unknownIDs: "answer's ids are not in the batch"
    case .requestFailed(let message):
      Self.requestFailedPrefix
        + (message.hasPrefix(ChatClient.failurePrefix)
          ? message.dropFirst(ChatClient.failurePrefix.count) : Substring(message))
    case .notSent(let reason): "not sent: \(reason)"
    }
  }
}

/// The outcome and cost of one scoring session.
public struct ScoringResult: Sendable, Equatable {
  /// Scores of the papers that have one, in the order the papers were given,
  /// those stored by an earlier run included.
  public var scores: [PaperScore]
  /// Ids of the papers whose score was already stored, so not sent.
  public var cachedIDs: [String]
  /// Papers without a score, in the order they were given.
  public var unscored: [UnscoredPaper]
  /// Tokens that the responses reported, summed over all requests, with the
  /// estimate in place of a response that reported none.
  public var usage: TokenUsage
  /// Dollars the tokens cost at the price table's prices.
  public var costUSD: Double
  /// Requests whose response reported no token usage, so that ``usage`` and
  /// ``costUSD`` count the estimate of their tokens.
  public var estimatedRequests: Int = 0
  /// Chat-completions requests made, each counted once whatever its retries.
  public var requests: Int
  /// Whether the model's price was known; when false, `costUSD` is 0.
  public var priceKnown: Bool
}
