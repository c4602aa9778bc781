import Foundation

/// The share of the night's picks that the prefilter's cutoff kept, estimated
/// from the audit sample.
///
/// Notation: `K` picks among the papers sent to the LLM, `N` papers below the
/// cutoff, of which a simple random sample of `n` was drawn without
/// replacement and scored, finding `k` picks. `M` is the unknown number of
/// picks below the cutoff.
///
/// - The lost picks are estimated as `N * k / n`, which is unbiased for `M`
///   under simple random sampling, because `k` is hypergeometric with mean
///   `n * M / N`.
/// - Recall is `K / (K + M)`, estimated by plugging in `N * k / n`. This is a
///   ratio, so the estimate is consistent but not exactly unbiased.
/// - The interval is exact for the finite population: the set of `M` that a
///   two-sided hypergeometric test at level `1 - confidenceLevel` does not
///   reject, which is the Clopper-Pearson construction with the
///   hypergeometric distribution in place of the binomial. `M` is kept when
///   `P(X <= k | M) > alpha / 2` and `P(X >= k | M) > alpha / 2`, so the
///   interval covers the true `M` with probability at least the confidence
///   level. Recall falls as `M` grows, so the bounds map to
///   `K / (K + M_high)` and `K / (K + M_low)`.
///
/// Assumptions: the LLM would judge a paper the same way in the sample as in
/// the slice. Audit papers left unscored are treated as never drawn, which
/// keeps the sample random only when the failures do not depend on the paper.
///
/// `K` is known only when every paper above the cutoff has a score. A paper
/// above the cutoff may lack one because its request failed or because it
/// was never sent (a budget, a stop, or `--no-llm` after a run with a
/// smaller cutoff). It may or may not be a pick, so it is no evidence either
/// way. Then recall and its interval are left out, and only the estimate of
/// `M`, which rests on the audit sample alone, is given.
public struct RecallEstimate: Codable, Sendable, Equatable {
  /// `K`: the picks among the papers above the cutoff that got a score.
  public var picksAboveCutoff: Int
  /// The papers above the cutoff without a score. Recall is estimated only
  /// when this is 0.
  public var unscoredAboveCutoff: Int
  /// `N`: the papers below the cutoff, the population of the audit sample.
  public var papersBelowCutoff: Int
  /// `n`: the audit papers that were scored.
  public var sampleSize: Int
  /// `k`: the picks in the audit sample.
  public var samplePicks: Int
  /// The coverage of the interval, such as 0.95.
  public var confidenceLevel: Double
  /// `N * k / n`, nil when nothing was audited from a non-empty population.
  public var estimatedLostPicks: Double?
  /// The interval bounds on `M`, the picks below the cutoff.
  public var lostPicksLow: Int?
  public var lostPicksHigh: Int?
  /// The estimated recall, nil without a sample or when `K` is 0 and the
  /// estimated `M` is 0, so recall is 0/0.
  public var recall: Double?
  /// The interval bounds on recall. A bound is nil where it is 0/0, and
  /// both are nil when ``recall`` is, since a lower bound of 0 alone carries
  /// no information.
  public var recallLow: Double?
  public var recallHigh: Double?
  /// The reason `recall` is nil, such as papers above the cutoff without a score.
  public var noRecallReason: String?

  /// Computes the estimate and its interval.
  ///
  /// - Precondition: `0 <= samplePicks <= sampleSize <= papersBelowCutoff`,
  ///   `picksAboveCutoff >= 0`, `unscoredAboveCutoff >= 0` and
  ///   `0 < confidenceLevel < 1`.
  public init(
    picksAboveCutoff: Int, unscoredAboveCutoff: Int = 0, papersBelowCutoff: Int,
    sampleSize: Int, samplePicks: Int, confidenceLevel: Double = 0.95
  ) {
    precondition(picksAboveCutoff >= 0, "negative pick count")
    precondition(unscoredAboveCutoff >= 0, "negative unscored count")
    precondition(
      0 <= samplePicks && samplePicks <= sampleSize && sampleSize <= papersBelowCutoff,
      "audit counts out of order")
    precondition(confidenceLevel > 0 && confidenceLevel < 1, "confidence level outside (0, 1)")
    self.picksAboveCutoff = picksAboveCutoff
    self.unscoredAboveCutoff = unscoredAboveCutoff
    self.papersBelowCutoff = papersBelowCutoff
    self.sampleSize = sampleSize
    self.samplePicks = samplePicks
    self.confidenceLevel = confidenceLevel

    if sampleSize > 0 || papersBelowCutoff == 0 {
      let bounds = Hypergeometric.confidenceBounds(
        population: papersBelowCutoff, sampleSize: sampleSize, observed: samplePicks,
        confidenceLevel: confidenceLevel)
      estimatedLostPicks =
        papersBelowCutoff == 0
        ? 0 : Double(papersBelowCutoff) * Double(samplePicks) / Double(sampleSize)
      lostPicksLow = bounds.lowerBound
      lostPicksHigh = bounds.upperBound
    }

    guard unscoredAboveCutoff == 0 else {
      let unscored = MarkdownText.counted(
        unscoredAboveCutoff, "paper above the cutoff has", "papers above the cutoff have")
      noRecallReason = "\(unscored) no score, so the picks above the cutoff are not known"
      return
    }
    guard let lost = estimatedLostPicks, let low = lostPicksLow, let high = lostPicksHigh
    else {
      noRecallReason = "no paper below the cutoff was audited with a score"
      return
    }
    let picks = Double(picksAboveCutoff)
    recall = Self.recall(picks: picks, lost: lost)
    guard recall != nil else {
      noRecallReason =
        "no paper above the cutoff or in the audit sample is a pick, so recall is 0/0"
      return
    }
    recallLow = Self.recall(picks: picks, lost: Double(high))
    recallHigh = Self.recall(picks: picks, lost: Double(low))
  }

  /// Whether the audit gave an estimate. It is false when nothing was audited
  /// although papers fell below the cutoff.
  public var hasEstimate: Bool { estimatedLostPicks != nil }

  private static func recall(picks: Double, lost: Double) -> Double? {
    picks + lost > 0 ? picks / (picks + lost) : nil
  }
}

/// The hypergeometric distribution: draws without replacement of `sampleSize`
/// items from `population` items of which `successes` are marked.
enum Hypergeometric {
  /// Returns `P(X = observed)`, computed from log-gamma values.
  static func probability(
    population: Int, successes: Int, sampleSize: Int, observed: Int
  ) -> Double {
    let failures = population - successes
    guard observed >= 0, observed <= successes, sampleSize - observed <= failures,
      sampleSize - observed >= 0
    else { return 0 }
    let logValue =
      logChoose(successes, observed) + logChoose(failures, sampleSize - observed)
      - logChoose(population, sampleSize)
    return exp(logValue)
  }

  /// Returns the smallest and largest `M` that the two-sided exact test at
  /// level `1 - confidenceLevel` does not reject after `observed` marked
  /// items in the sample.
  ///
  /// `P(X >= observed | M)` grows with `M` and `P(X <= observed | M)` falls
  /// with it, so each bound is found by binary search over the feasible `M`.
  static func confidenceBounds(
    population: Int, sampleSize: Int, observed: Int, confidenceLevel: Double
  ) -> ClosedRange<Int> {
    let tail = (1 - confidenceLevel) / 2
    // Unobserved items can hold from none to all of the rest of the marks.
    let feasible = observed...(population - (sampleSize - observed))
    func probabilities(_ successes: Int, _ drawn: ClosedRange<Int>) -> Double {
      drawn.reduce(0) { sum, count in
        sum
          + probability(
            population: population, successes: successes, sampleSize: sampleSize,
            observed: count)
      }
    }

    // At the largest feasible M every unsampled item is marked, so
    // P(X >= observed) = 1 there and the search always finds a low bound.
    let low = firstValue(in: feasible) { probabilities($0, observed...sampleSize) > tail }
    // At M = observed, P(X <= observed) = 1, so the high bound is at least that.
    let high = firstValue(in: feasible) { probabilities($0, 0...observed) <= tail } - 1
    return low...max(low, high)
  }

  /// Returns the first value in `range` for which `predicate` holds, or one
  /// past the range when it never does. `predicate` must be false up to some
  /// value and true from there on.
  private static func firstValue(
    in range: ClosedRange<Int>, where predicate: (Int) -> Bool
  ) -> Int {
    var low = range.lowerBound
    var high = range.upperBound + 1
    while low < high {
      let middle = low + (high - low) / 2
      if predicate(middle) { high = middle } else { low = middle + 1 }
    }
    return low
  }

  private static func logChoose(_ n: Int, _ k: Int) -> Double {
    lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
  }
}
