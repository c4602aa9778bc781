import Foundation

/// The cost of a night's LLM requests, from the tokens in the `batches` table.
///
/// Dollars are at the prices of the current price table. A model that the
/// table does not list counts as free, as the scorer counted it.
struct NightUsage {
  /// Every batch of the night: every run, model and prompt.
  var night: DigestContent.Usage
  /// The dollars of the requests under one model and prompt, whose scores
  /// the digest shows, that returned scores of papers of the night, so that
  /// they price a scored paper. A request that also scored papers of other
  /// nights counts with the share of its scores that are of this night.
  var setupDollars: Double
  /// The papers of the night that the requests of ``setupDollars`` gave a
  /// score, chosen at this run's cutoff or not, which those dollars paid for.
  var setupScoredPapers: Int
  /// The dollars of the requests under the same model and prompt that
  /// returned no score, which price no paper.
  var setupNoScoreDollars: Double
  /// The dollars of the batches of one run, its share of ``night``.
  var runDollars: Double

  /// Sums the batches of the night `date` in `runs`, and apart those under
  /// `model` and `promptHash`, with the papers of the night they scored, and
  /// those of the run `runID`.
  ///
  /// Each sum prices its batches as ``priced(_:prices:)`` does, so the
  /// night's total and a run's share are equal when the run is the night's
  /// only one.
  init(
    _ runs: RunStore, date: String, runID: Int64, model: String, promptHash: String,
    prices: PriceTable
  ) throws {
    let batches = try runs.batchUsage(date: date)
    night = Self.priced(batches, prices: prices)
    let setup = try runs.setupBatches(date: date, model: model, promptHash: promptHash)
    let scoredOnlyOfNight = setup.filter {
      $0.scoredPapers > 0 && $0.scoredPapersOfNight == $0.scoredPapers
    }
    let mixed = setup.filter {
      $0.scoredPapersOfNight > 0 && $0.scoredPapersOfNight < $0.scoredPapers
    }
    setupDollars =
      Self.priced(scoredOnlyOfNight.map(\.usage), prices: prices).totalDollars
      + mixed.reduce(0) { sum, batch in
        let share = Double(batch.scoredPapersOfNight) / Double(batch.scoredPapers)
        return sum + Self.priced([batch.usage], prices: prices).totalDollars * share
      }
    setupScoredPapers = setup.reduce(0) { $0 + $1.scoredPapersOfNight }
    setupNoScoreDollars =
      Self.priced(setup.filter { $0.scoredPapers == 0 }.map(\.usage), prices: prices)
      .totalDollars
    runDollars = Self.priced(batches.filter { $0.runID == runID }, prices: prices).totalDollars
  }

  /// Returns the tokens and dollars of `batches`, with the count of requests
  /// whose tokens are an estimate.
  ///
  /// The tokens are summed by model as whole numbers, and each model's sum
  /// is priced once, so two lists of the same batches give the same dollars.
  static func priced(_ batches: [BatchUsage], prices: PriceTable) -> DigestContent.Usage {
    var tokens: [String: TokenUsage] = [:]
    var estimated = 0
    for batch in batches {
      tokens[batch.model, default: .zero] += batch.usage
      estimated += batch.estimatedBatches
    }

    var total = DigestContent.Usage.zero
    for model in tokens.keys.sorted() {
      let usage = NightlyRun.digestUsage(
        tokens[model] ?? .zero, price: prices.price(for: model) ?? .free)
      total.promptTokens += usage.promptTokens
      total.completionTokens += usage.completionTokens
      total.cachedTokens += usage.cachedTokens
      total.promptDollars += usage.promptDollars
      total.completionDollars += usage.completionDollars
      total.cachedDollars += usage.cachedDollars
    }
    if estimated > 0 { total.estimatedRequests = estimated }
    return total
  }
}
