import Foundation

extension NightlyRun {
  /// Returns the LLM stage's result from the scores that earlier runs of the
  /// night stored, for a run that sends no request, or nil when none of the
  /// chosen papers has a stored score.
  ///
  /// The scores are those of the same model and prompt, as a run that sends
  /// requests would reuse them, and the usage is what the earlier runs paid.
  /// Each chosen paper without a stored score is listed as not sent, with
  /// `skip`'s reason, so that this run does not replace a scored digest with
  /// an unscored one.
  func storedScoring(
    _ slice: NightSlice, skip: LLMSkip, prompt: PromptBuilder, runID: Int64,
    settings: LLMSettings, database: Database
  ) throws -> NightScoring? {
    let chosen = slice.papersToScore.map(\.id)
    let stored = try ScoreStore(database: database).scores(
      for: chosen, model: settings.model, promptHash: prompt.promptHash)
    guard !stored.isEmpty else { return nil }

    var scoring = NightScoring(runID: runID, model: settings.model)
    for (id, score) in stored {
      scoring.scores[id] = DigestInput.Score(
        relevance: score.relevance, novelty: score.novelty, comment: score.comment)
    }
    for id in chosen where stored[id] == nil {
      scoring.unscoredReasons[id] = "not sent, because \(skip.reason)"
    }
    scoring.usage = try NightlyRun.nightUsage(
      RunStore(database: database), date: slice.date, model: settings.model,
      promptHash: prompt.promptHash,
      price: try PriceTable.load(settings: settings).price(for: settings))
    scoring.noRequestReason = skip.reason
    scoring.skipIsFault = skip.isFault
    scoring.selectionPrompt = prompt.systemPrompt
    return scoring
  }

  /// Logs that the digest shows the scores in `scoring`, which earlier runs stored.
  func logStoredScoring(_ scoring: NightScoring, date: String) {
    logger.notice(
      "Showing the scores that earlier runs of the night stored, without sending a request",
      [
        ("date", date), ("stored", "\(scoring.scores.count)"),
        ("unscored", "\(scoring.unscoredReasons.count)"),
        ("reason", scoring.noRequestReason ?? ""),
      ])
  }
}
