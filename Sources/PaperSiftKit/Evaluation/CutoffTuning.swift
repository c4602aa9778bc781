import Foundation

/// A prefilter weighting and cutoff, with what it kept on the tuning nights
/// and on the later nights held out from tuning.
public struct TunedCutoff: Sendable, Codable, Equatable {
  /// The ranking's name in ``RecallDay/rankings``.
  public var variant: String
  public var weights: RankerWeights
  public var policy: CutoffPolicy
  public var tuning: RecallSummary
  public var heldOut: RecallSummary
}

/// The outcome of tuning on the earlier half of the nights.
public struct CutoffTuningResult: Sendable, Codable, Equatable {
  /// The micro-averaged recall the cutoff must reach on the tuning nights.
  public var target: Double
  /// The dates of the tuning nights (the earlier half), in order.
  public var tuningDates: [String]
  /// The dates of the held-out nights (the later half), in order.
  public var heldOutDates: [String]
  /// The cheapest weighting and cutoff that reach the target on the tuning nights.
  public var chosen: TunedCutoff?
  /// For the chosen weights, the cheapest cutoff of each kind that reaches the target.
  public var cheapestByKind: [TunedCutoff]
}

/// Chooses the prefilter weights and the cutoff on a time-ordered split.
///
/// The nights are split in date order: the earlier half tunes, the later
/// half reports. Every night's ranking already comes from models trained on
/// earlier nights only (``Replay``), and the choice reads no ranking or
/// label of the later half, so no later label reaches an earlier choice.
public enum CutoffTuning {
  /// Splits `days` in date order into the earlier `count / 2` and the rest.
  public static func split(_ days: [RecallDay]) -> (
    tuning: ArraySlice<RecallDay>, heldOut: ArraySlice<RecallDay>
  ) {
    let sorted = days.sorted { $0.date < $1.date }
    let middle = sorted.count / 2
    return (sorted[..<middle], sorted[middle...])
  }

  /// Returns the values tried for a cutoff kind, from the cheapest to the dearest.
  ///
  /// Fractions go from 1% to 100% in steps of 1%, counts from 1 to the
  /// largest night, score thresholds from 1 down to 0 in steps of 0.005.
  public static func candidateValues(_ kind: CutoffKind, largestNight: Int) -> [Double] {
    switch kind {
    case .fraction:
      return (1...100).map { Double($0) / 100 }
    case .count:
      return (1...max(largestNight, 1)).map(Double.init)
    case .score:
      return (0...200).map { Double(200 - $0) / 200 }
    }
  }

  /// Returns the cheapest cutoff of `kind` whose micro-averaged recall on
  /// `days` reaches `target`, or nil when none does.
  ///
  /// Within one kind a larger cut never keeps fewer picks nor costs fewer
  /// tokens, so the first candidate that reaches the target is the cheapest.
  public static func cheapest(
    _ kind: CutoffKind, variant: String, days: some Collection<RecallDay>, target: Double
  ) -> (policy: CutoffPolicy, summary: RecallSummary)? {
    let largest = days.map(\.papers).max() ?? 0
    for value in candidateValues(kind, largestNight: largest) {
      let policy = CutoffPolicy(kind, value)
      let summary = RecallSummary(days: days, variant: variant, policy: policy)
      if summary.recall >= target - 1e-12 { return (policy, summary) }
    }
    return nil
  }

  /// Tunes the weights and the cutoff on the earlier half of `days` and
  /// measures the choice on the later half.
  ///
  /// - Parameters:
  ///   - days: The replayed nights, in any order.
  ///   - candidates: Weightings whose rankings are in every night's
  ///     ``RecallDay/rankings`` under ``RecallReplay/name(of:)``.
  ///   - target: The micro-averaged recall to reach, such as 0.95.
  /// - Returns: The choice with the fewest estimated tokens on the tuning
  ///   nights; among equals, the higher tuning recall, then the earlier
  ///   candidate and kind.
  public static func tune(days: [RecallDay], candidates: [RankerWeights], target: Double)
    -> CutoffTuningResult
  {
    let (tuning, heldOut) = split(days)
    var chosen: TunedCutoff?
    var chosenWeightsCutoffs: [TunedCutoff] = []
    for weights in candidates {
      let variant = RecallReplay.name(of: weights)
      let choices = CutoffKind.allCases.compactMap { kind -> TunedCutoff? in
        guard let found = cheapest(kind, variant: variant, days: tuning, target: target) else {
          return nil
        }
        return TunedCutoff(
          variant: variant, weights: weights, policy: found.policy, tuning: found.summary,
          heldOut: RecallSummary(days: heldOut, variant: variant, policy: found.policy))
      }
      for choice in choices where isCheaper(choice, than: chosen) {
        chosen = choice
        chosenWeightsCutoffs = choices
      }
    }
    return CutoffTuningResult(
      target: target, tuningDates: tuning.map(\.date), heldOutDates: heldOut.map(\.date),
      chosen: chosen, cheapestByKind: chosenWeightsCutoffs)
  }

  /// Returns whether `choice` costs fewer tuning tokens than `current`, or
  /// as many with a higher tuning recall.
  static func isCheaper(_ choice: TunedCutoff, than current: TunedCutoff?) -> Bool {
    guard let current else { return true }
    if choice.tuning.tokensSent != current.tuning.tokensSent {
      return choice.tuning.tokensSent < current.tuning.tokensSent
    }
    return choice.tuning.recall > current.tuning.recall
  }

  /// Writes the chosen weights and cutoff into `settings`.
  public static func apply(_ choice: TunedCutoff, to settings: inout RankingSettings) {
    settings.weights = choice.weights
    settings.cutoffPolicy = choice.policy.kind.rawValue
    settings.cutoffValue = choice.policy.value
  }

  /// Writes the chosen weights and cutoff into the configuration file at
  /// `url`, keeping every other setting; a missing file starts from the defaults.
  ///
  /// - Returns: The ranking section as written.
  /// - Throws: ``PaperSiftError`` when the file cannot be read, parsed or written.
  @discardableResult
  public static func apply(_ choice: TunedCutoff, configurationAt url: URL) throws
    -> RankingSettings
  {
    var configuration = try Configuration.load(from: url)
    apply(choice, to: &configuration.ranking)
    try configuration.save(to: url)
    return configuration.ranking
  }
}
