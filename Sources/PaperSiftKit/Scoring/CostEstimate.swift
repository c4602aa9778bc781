import Foundation

/// The estimated tokens and dollars of scoring papers, computed without an
/// API key, so that a run without the LLM stage can report what it would cost.
public struct CostEstimate: Sendable, Equatable {
  public var usage: TokenUsage
  public var costUSD: Double
  /// Whether the price table lists the model; when false, `costUSD` is 0.
  public var priceKnown: Bool
  public var batches: Int

  /// Estimates sending `papers` in batches of `settings.batchSize`.
  ///
  /// Each batch repeats the fixed part of the prompt, as the scorer sends it.
  /// Prompt tokens come from ``TokenEstimate`` (about 4.4 characters a
  /// token, which errs high for English abstracts), output tokens from
  /// `outputTokensPerPaper`; cached prompt tokens are not counted.
  ///
  /// - Throws: ``PaperSiftError`` when the price table named in the settings
  ///   cannot be read.
  public static func of(
    _ papers: [Paper], settings: LLMSettings, topics: String, prices: PriceTable? = nil
  ) throws -> CostEstimate {
    let prompt = PromptBuilder(topics: topics, model: settings.model, jsonMode: settings.jsonMode)
    let table = try prices ?? PriceTable.load(settings: settings)
    let price = table.price(for: settings)
    var usage = TokenUsage.zero
    var batches = 0
    let size = max(1, settings.batchSize)
    for start in stride(from: 0, to: papers.count, by: size) {
      let batch = Array(papers[start..<min(start + size, papers.count)])
      var output = batch.count * settings.outputTokensPerPaper
      if settings.isReasoningModel { output += settings.reasoningTokensPerRequest }
      usage.promptTokens += TokenEstimate.promptTokens(of: prompt.messages(for: batch))
      usage.completionTokens += output
      batches += 1
    }
    return CostEstimate(
      usage: usage, costUSD: price?.cost(of: usage) ?? 0, priceKnown: price != nil,
      batches: batches)
  }
}
