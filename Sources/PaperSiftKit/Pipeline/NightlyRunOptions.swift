import Foundation

/// How many of the ranked papers go to the LLM.
public enum CutoffChoice: Sendable, Equatable {
  /// The top K papers.
  case count(Int)
  /// The top share of the night, from 0 to 1.
  case fraction(Double)
  /// The policy and value stored in the `ranking` configuration, which
  /// `papersift-bench recall --apply` tunes.
  case auto

  /// Returns the number of papers above the cutoff.
  ///
  /// - Parameters:
  ///   - scores: The prefilter scores, best first.
  ///   - settings: Where `auto` reads its policy (`count`, `fraction` or
  ///     `score`) and value.
  /// - Returns: How many of the best papers go to the LLM.
  public func sliceSize(scores: [Double], settings: RankingSettings) -> Int {
    let total = scores.count
    switch self {
    case .count(let count):
      return min(max(0, count), total)
    case .fraction(let share):
      // The recall benchmark counts the same way, so its tuned share sends as many papers.
      return CutoffPolicy.fractionCount(share, of: total)
    case .auto:
      switch settings.cutoffPolicy {
      case "count":
        return CutoffChoice.count(Int(settings.cutoffValue)).sliceSize(
          scores: scores, settings: settings)
      case "score":
        return scores.filter { $0 >= settings.cutoffValue }.count
      default:
        return CutoffChoice.fraction(settings.cutoffValue).sliceSize(
          scores: scores, settings: settings)
      }
    }
  }

  /// The policy name and value stored with the run.
  public func recorded(settings: RankingSettings) -> (policy: String, value: Double) {
    switch self {
    case .count(let count): ("count", Double(count))
    case .fraction(let share): ("fraction", share)
    case .auto: ("auto:\(settings.cutoffPolicy)", settings.cutoffValue)
    }
  }
}

/// What one nightly run does, from the command line.
public struct NightlyRunOptions: Sendable {
  /// The announcement day, `YYYY-MM-DD`; nil takes the day of the feed.
  public var date: String?
  /// Files to import in place of fetching today's feed.
  public var inputs: [URL] = []
  public var cutoff: CutoffChoice = .auto
  /// Skips the LLM stage and ranks with the prefilter alone.
  public var skipLLM = false
  public var budgetUSD: Double?
  /// The digest folder; nil takes the configuration's.
  public var outputDirectory: URL?
  /// The topics file; nil takes the configuration's.
  public var topicsFile: URL?
  public var llmModel: String?
  public var llmBaseURL: String?
  /// Seconds to wait for another run of the same home folder to finish.
  public var lockWaitSeconds: Double = 0

  public init() {}
}

/// What a nightly run did, for the summary line and the exit status.
public struct NightlyRunOutcome: Sendable {
  public enum Status: Sendable, Equatable {
    /// Every paper sent got a score, or the LLM stage was skipped.
    case done
    /// The night had no new papers.
    case emptyNight
    /// Some papers stayed unscored; the digest lists them with reasons.
    case partial
  }

  public var status: Status
  public var date: String
  public var papers: Int = 0
  public var sent: Int = 0
  public var audited: Int = 0
  public var selected: Int = 0
  public var unscored: Int = 0
  /// Tokens and dollars of the night's scores, earlier runs of the night included.
  public var usage: DigestContent.Usage = .zero
  /// Tokens and dollars the LLM stage spent in this run alone.
  public var spentUSD: Double = 0
  public var skippedLLMReason: String?
  public var digest: DigestFiles?

  /// The one-line summary printed at the end of the run.
  public var summary: String {
    guard status != .emptyNight else {
      return "No new papers announced on \(date); nothing to rank."
    }
    var line = "\(date): \(papers) papers"
    if let skippedLLMReason {
      line +=
        ", \(sent) above the cutoff and \(audited) drawn for the audit, "
        + "LLM stage skipped (\(skippedLLMReason))"
    } else {
      line +=
        ", \(sent) sent and \(audited) audited, \(selected) selected, \(unscored) unscored, "
        + "\(usage.totalTokens) tokens, \(String(format: "$%.4f", usage.totalDollars)) "
        + "(\(String(format: "$%.4f", spentUSD)) this run)"
    }
    if let digest { line += "; digest: \(digest.markdown.path)" }
    return line
  }
}
