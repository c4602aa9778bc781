import Foundation

/// The cost of a night's LLM requests, from the tokens in the `batches` table.
///
/// Dollars are at the prices of the current price table. A model that the
/// table does not list counts as free, as the scorer counted it.
struct NightUsage {
  /// Every batch of the night: every run, model and prompt.
  var night: DigestContent.Usage
  /// The dollars of the batches under one model and prompt, whose scores
  /// the digest shows, so that they price a scored paper.
  var setupDollars: Double
  /// The papers that the batches of ``setupDollars`` gave a score, chosen at
  /// this run's cutoff or not, which those dollars paid for.
  var setupScoredPapers: Int
  /// The dollars of the batches of one run, its share of ``night``.
  var runDollars: Double

  /// Sums the batches of the night `date` in `runs`, and apart those under
  /// `model` and `promptHash`, with the papers they scored, and those of the
  /// run `runID`.
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
    let setup = batches.filter { $0.model == model && $0.promptHash == promptHash }
    setupDollars = Self.priced(setup, prices: prices).totalDollars
    setupScoredPapers = try ScoreStore(database: runs.database).scoredPaperCount(
      date: date, model: model, promptHash: promptHash)
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
