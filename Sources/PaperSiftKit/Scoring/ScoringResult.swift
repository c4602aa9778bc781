import Foundation

/// The reason a paper that reached the LLM stage has no score.
public enum UnscoredReason: Sendable, Equatable, CustomStringConvertible {
  /// Sending its batch would have crossed the budget.
  case budget
  /// The response had no entry for it, twice.
  case missingFromAnswer
  /// The response's scores for it were not integers from 1 to 10, twice.
  case invalidScore
  /// Its request failed after every attempt, with the error message.
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
    case .invalidScore: "invalid score"
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
  /// Tokens that the responses reported, summed over all requests.
  public var usage: TokenUsage
  /// Dollars the reported tokens cost at the price table's prices.
  public var costUSD: Double
  /// Chat-completions requests made, each counted once whatever its retries.
  public var requests: Int
  /// Whether the model's price was known; when false, `costUSD` is 0.
  public var priceKnown: Bool
}
