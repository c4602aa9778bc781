import Foundation

/// The LLM stage of a run that sends no request, because of `--no-llm` or a
/// missing API key.
extension NightlyRun {
  /// Returns the LLM stage's result for a run that sends no request.
  ///
  /// The digest shows the scores that earlier runs of the night stored for
  /// the chosen papers, when there are any, and else the prefilter's top
  /// papers with what scoring them would cost. Either way its usage is what
  /// the night's requests cost, under every model and prompt.
  func skippedScoring(
    _ slice: NightSlice, skip: LLMSkip, prompt: PromptBuilder, runID: Int64,
    settings: LLMSettings, topics: String, database: Database
  ) throws -> NightScoring {
    let prices = try PriceTable.load(settings: settings)
    let night = try NightUsage(
      RunStore(database: database), date: slice.date, runID: runID, model: settings.model,
      promptHash: prompt.promptHash, prices: prices)
    let stored = try storedScoring(
      slice, skip: skip, prompt: prompt, runID: runID, settings: settings, database: database)
    let estimate = try CostEstimate.of(
      slice.papersToScore, settings: settings, topics: topics, prices: prices)

    // A digest of stored scores shows no estimate, so the log line gives
    // what scoring would cost only when the digest shows that too.
    var metadata = [("reason", skip.reason)]
    if stored == nil {
      metadata += [
        ("would_send_prompt_tokens", "\(estimate.usage.promptTokens)"),
        ("would_cost_usd", String(format: "%.4f", estimate.costUSD)),
      ]
    }
    if skip.isFault {
      // A cron job would otherwise never learn that its key is gone.
      logger.warning("Skipping the LLM stage; the run ends with exit status 3", metadata)
    } else {
      logger.notice("Skipping the LLM stage", metadata)
    }
    try logScoresUnderOtherSetups(
      slice.papersToScore.map(\.id), scored: Set((stored?.scores ?? [:]).keys), skip: skip,
      settings: settings, promptHash: prompt.promptHash, database: database)

    if var stored {
      stored.setNightUsage(night)
      logStoredScoring(stored, date: slice.date)
      return stored
    }
    let usage = NightlyRun.digestUsage(estimate.usage, price: prices.price(for: settings))
    var scoring = NightScoring(
      runID: runID, model: settings.model,
      skipped: DigestContent.SkippedLLM(reason: skip.reason, estimatedUsage: usage))
    scoring.setNightUsage(night)
    scoring.skipIsFault = skip.isFault
    return scoring
  }

  /// Returns the LLM stage's result from the scores that earlier runs of the
  /// night stored, for a run that sends no request, or nil when none of the
  /// chosen papers has a stored score.
  ///
  /// The scores are those of the same model and prompt, as a run that sends
  /// requests would reuse them. Each chosen paper without a stored score is
  /// listed as not sent, with `skip`'s reason, so that this run does not
  /// replace a scored digest with an unscored one.
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
    scoring.noRequestReason = skip.reason
    scoring.skipIsFault = skip.isFault
    scoring.selectionPrompt = prompt.systemPrompt
    return scoring
  }

  /// Logs a notice when chosen papers without a score under this run's model
  /// and prompt have one under another, which the digest does not use.
  func logScoresUnderOtherSetups(
    _ chosen: [String], scored: Set<String>, skip: LLMSkip, settings: LLMSettings,
    promptHash: String, database: Database
  ) throws {
    let unscored = chosen.filter { !scored.contains($0) }
    let others = try ScoreStore(database: database).otherSetupModels(
      for: unscored, model: settings.model, promptHash: promptHash)
    guard !others.isEmpty else { return }

    let otherModel = others.values.contains { $0.contains { $0 != settings.model } }
    let source =
      otherModel
      ? "another model or prompt (llm.model, the topics file, llm.jsonMode or PaperSift's "
        + "rubric changed)"
      : "another prompt (the topics file, llm.jsonMode or PaperSift's rubric changed)"
    let next =
      skip.isFault
      ? "A run that sends requests scores them again"
      : "Run without --no-llm to score them again"
    logger.notice(
      "Papers chosen for the LLM have scores from \(source); they are not used. \(next)",
      [("papers", "\(others.count)"), ("model", settings.model)])
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
