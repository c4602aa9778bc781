import Foundation

/// The picks kept and the tokens spent by one cutoff on one variant's
/// rankings over a set of nights.
public struct RecallSummary: Sendable, Equatable, Codable {
  public var days: Int
  public var papers: Int
  public var papersSent: Int
  public var picks: Int
  /// The picks among the papers sent.
  public var picksInside: Int
  /// Estimated prompt tokens of the papers sent.
  public var tokensSent: Int
  /// Estimated prompt tokens of sending every paper.
  public var tokensAll: Int
  /// The mean of the nights' recalls, over nights with at least one pick.
  public var meanRecall: Double
  /// The night with the lowest recall (the earliest among equals), nil when
  /// no night has a pick.
  public var worstDay: String?
  public var worstRecall: Double

  /// Sums `variant`'s ranking of `days` cut by `policy`.
  ///
  /// A night without that variant's ranking counts its papers and picks,
  /// none of them sent.
  public init(days: some Collection<RecallDay>, variant: String, policy: CutoffPolicy) {
    self.days = days.count
    papers = 0
    papersSent = 0
    picks = 0
    picksInside = 0
    tokensSent = 0
    tokensAll = 0
    worstRecall = 1

    var recallSum = 0.0
    var nightsWithPicks = 0
    for day in days {
      papers += day.papers
      picks += day.picks
      tokensAll += day.allTokens
      var inside = 0
      if let night = day.rankings[variant] {
        let sent = policy.sentCount(scores: night.scores)
        inside = night.cumulativePicks[sent]
        papersSent += sent
        picksInside += inside
        tokensSent += day.tokens(sending: sent, of: night)
      }

      guard day.picks > 0 else { continue }
      let recall = Double(inside) / Double(day.picks)
      recallSum += recall
      nightsWithPicks += 1
      if worstDay == nil || recall < worstRecall {
        worstDay = day.date
        worstRecall = recall
      }
    }
    meanRecall = nightsWithPicks > 0 ? recallSum / Double(nightsWithPicks) : 1
  }

  /// The picks inside over all picks (micro-averaged), 1 without picks.
  public var recall: Double {
    picks > 0 ? Double(picksInside) / Double(picks) : 1
  }

  /// The share of the papers sent.
  public var sentShare: Double {
    papers > 0 ? Double(papersSent) / Double(papers) : 0
  }

  /// The share of the tokens of scoring every paper that the cutoff saves.
  public var tokensSavedShare: Double {
    tokensAll > 0 ? 1 - Double(tokensSent) / Double(tokensAll) : 0
  }
}
