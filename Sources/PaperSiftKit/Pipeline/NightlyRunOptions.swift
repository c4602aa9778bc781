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

  /// Returns the cutoff as the recall benchmark counts it, so that a tuned
  /// share sends as many papers as the benchmark measured.
  ///
  /// - Throws: ``PaperSiftError`` for an unknown `ranking.cutoffPolicy`.
  public func policy(settings: RankingSettings) throws -> CutoffPolicy {
    switch self {
    case .count(let count): CutoffPolicy(.count, Double(count))
    case .fraction(let share): CutoffPolicy(.fraction, share)
    case .auto: try CutoffPolicy(settings: settings)
    }
  }

  /// Returns the policy name and value stored with the run.
  public func recorded(settings: RankingSettings) -> (policy: String, value: Double) {
    switch self {
    case .count(let count): ("count", Double(count))
    case .fraction(let share): ("fraction", share)
    case .auto: ("auto:\(settings.cutoffPolicy)", settings.cutoffValue)
    }
  }
}

/// The options of one nightly run, from the command line.
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
  /// Whether SIGINT and SIGTERM mark the run interrupted and exit with 130
  /// or 143. Off for callers inside a larger program, which keep their own
  /// signal handling.
  public var handlesInterrupts = false

  public init() {}
}

/// The result of a nightly run, for the summary line and the exit status.
public struct NightlyRunOutcome: Sendable {
  public enum Status: Sendable, Equatable {
    /// Every paper sent got a score, or `--no-llm` skipped the LLM stage or
    /// left papers without a stored score unsent.
    case done
    /// The night had no new papers.
    case emptyNight
    /// Some papers stayed unscored, or the LLM stage was skipped because the
    /// API key variable is unset. The digest lists the reason.
    case partial
  }

  public var status: Status
  public var date: String
  public var papers: Int = 0
  /// The papers above the cutoff, chosen for the LLM.
  public var aboveCutoff: Int = 0
  /// The papers drawn from below the cutoff for the audit sample, sent or not.
  public var auditDrawn: Int = 0
  /// The audit papers that got a score, which a budget or a failure can
  /// leave below ``auditDrawn``.
  public var audited: Int = 0
  public var selected: Int = 0
  public var unscored: Int = 0
  /// Tokens and dollars paid for the night's LLM requests, of every run,
  /// model and prompt, also when the stage failed or sent nothing.
  public var usage: DigestContent.Usage = .zero
  /// Dollars the LLM stage spent in this run alone.
  public var spentUSD: Double = 0
  /// The `--budget` of this run, which limits ``spentUSD`` and not the night's total.
  public var budgetUSD: Double?
  public var skippedLLMReason: String?
  /// The reason this run sent no request, when the digest shows the scores
  /// that earlier runs of the night stored.
  public var noRequestReason: String?
  /// Whether requests were sent and every one failed, so the stage failed rather than skipped.
  public var llmFailed = false
  public var digest: DigestFiles?

  /// The one-line summary printed at the end of the run.
  public var summary: String {
    guard status != .emptyNight else {
      return "No new papers announced on \(date); nothing to rank."
    }
    var line = "\(date): \(papers) papers"
    var paid =
      "\(usage.totalTokens) tokens, \(Dollars.inText(usage.totalDollars)) "
      + "(\(Dollars.inText(spentUSD)) this run"
    if let budgetUSD { paid += ", whose --budget is \(Dollars.inText(budgetUSD))" }
    if let estimated = usage.estimatedRequests, estimated > 0 {
      let requests = estimated == 1 ? "1 request" : "\(estimated) requests"
      paid += "; the night's total counts \(requests) by estimate"
    }
    paid += ")"
    if let skippedLLMReason {
      line +=
        ", \(aboveCutoff) above the cutoff and \(auditDrawn) drawn for the audit, "
        + "LLM stage \(llmFailed ? "failed" : "skipped") (\(skippedLLMReason))"
      // Earlier runs may have paid for scores that this run does not use.
      if llmFailed || usage.totalTokens > 0 { line += ", " + paid }
    } else {
      line +=
        ", \(aboveCutoff) above the cutoff, \(audited) of \(auditDrawn) audit papers scored, "
        + "\(selected) selected, \(unscored) unscored, "
      if let noRequestReason {
        line += "scores stored by earlier runs, no request sent (\(noRequestReason)), "
      }
      line += paid
    }
    if let digest { line += "; digest: \(digest.markdown.path)" }
    return line
  }
}
