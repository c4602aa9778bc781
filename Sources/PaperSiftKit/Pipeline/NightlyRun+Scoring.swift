import Foundation

/// The LLM stage's result for the digest and the run record.
struct NightScoring {
  var runID: Int64
  var model: String
  var scores: [String: DigestInput.Score] = [:]
  var unscoredReasons: [String: String] = [:]
  /// The night's paid tokens and dollars, of every run, model and prompt,
  /// also when no paper got a score or no request was sent.
  var usage: DigestContent.Usage = .zero
  /// The dollars of the night's requests under this run's model and prompt
  /// that returned scores of the night's papers, which price each scored paper.
  var scoringDollars = 0.0
  /// The papers of the night that the requests of ``scoringDollars`` gave a
  /// score, whether chosen at this run's cutoff or not.
  var scoringPapers = 0
  /// The dollars of the night's requests under this run's model and prompt
  /// that returned no score.
  var noScoreDollars = 0.0
  /// The dollars of this run's requests, priced as ``usage`` is.
  var spentUSD = 0.0
  var skipped: DigestContent.SkippedLLM?
  /// Whether the stage was skipped for a fault the user must fix (a missing
  /// API key), so that the run ends with the partial-run exit status.
  var skipIsFault = false
  /// The reason no request was sent, when the scores are those earlier runs stored.
  var noRequestReason: String?
  /// The reason every request of this run failed, when the scores are those earlier runs stored.
  var failedRequestsReason: String?
  var selectionPrompt: String?
}

extension NightScoring {
  /// Sets the night's usage, the dollars and papers that price each scored
  /// paper, and this run's spending.
  mutating func setNightUsage(_ night: NightUsage) {
    usage = night.night
    scoringDollars = night.setupDollars
    scoringPapers = night.setupScoredPapers
    noScoreDollars = night.setupNoScoreDollars
    spentUSD = night.runDollars
  }
}

/// The reason the LLM stage of a run sends no requests.
struct LLMSkip {
  var reason: String
  /// Whether the cause is a fault (a missing key) rather than a request (`--no-llm`).
  var isFault: Bool
}

extension NightlyRun {
  /// Scores the slice and the audit sample, or estimates the cost when the
  /// LLM stage is skipped. The scorer passes `requestGate` around each request.
  func score(
    _ slice: NightSlice, runID: Int64, options: NightlyRunOptions, settings: Configuration,
    topics: String, database: Database, requestGate: RequestGate? = nil
  ) throws -> NightScoring {
    let papers = slice.papersToScore
    let runs = RunStore(database: database)
    let prompt = PromptBuilder(
      topics: topics, model: settings.llm.model, jsonMode: settings.llm.jsonMode)

    if let skip = skipReason(options, settings: settings.llm) {
      return try skippedScoring(
        slice, skip: skip, prompt: prompt, runID: runID, settings: settings.llm, topics: topics,
        database: database)
    }

    let scorer = try LLMScorer(
      settings: settings.llm, topics: topics, database: database, environment: environment)
    scorer.requestGate = requestGate
    let result = try scorer.score(papers, runID: runID, budgetUSD: options.budgetUSD)
    ProgressLine.clearIfShown()

    let stored = try ScoreStore(database: database).scores(
      for: papers.map(\.id), model: settings.llm.model, promptHash: scorer.promptHash)
    var scoring = NightScoring(runID: runID, model: settings.llm.model)
    for (id, score) in stored {
      scoring.scores[id] = DigestInput.Score(
        relevance: score.relevance, novelty: score.novelty, comment: score.comment)
    }
    for paper in result.unscored where scoring.scores[paper.paperID] == nil {
      scoring.unscoredReasons[paper.paperID] = paper.reason
    }
    // The night's total, not this run's, so that a re-run writes the same digest.
    scoring.setNightUsage(
      try NightUsage(
        runs, date: slice.date, runID: runID, model: settings.llm.model,
        promptHash: scorer.promptHash, prices: try PriceTable.load(settings: settings.llm)))
    scoring.selectionPrompt = scorer.prompt.systemPrompt
    if scoring.scores.isEmpty, let first = result.unscored.first {
      // Nothing came back (the server is down, say), or the budget let no
      // batch go out: the digest falls back to the prefilter's ranking
      // instead of listing no paper at all.
      let estimate = try CostEstimate.of(papers, settings: settings.llm, topics: topics)
      // The digest shows what earlier runs of the night paid either way.
      let sent = result.requests > 0
      scoring.skipped = DigestContent.SkippedLLM(
        reason: sent
          ? NightlyRun.failureReason(firstUnscored: first.reason) : NightlyRun.budgetSkipReason,
        estimatedUsage: NightlyRun.digestUsage(estimate.usage, price: scorer.price),
        failed: sent ? true : nil)
    } else if result.requests > 0, result.scores.count == result.cachedIDs.count,
      let first = result.unscored.first
    {
      // Every request of this run failed, but earlier runs stored scores,
      // which the digest shows under a notice of the failure.
      scoring.failedRequestsReason = NightlyRun.failureReason(firstUnscored: first.reason)
    }
    return scoring
  }

  /// The digest's reason for a stage that the budget stopped before its
  /// first request, the only way a stage that runs sends nothing.
  static let budgetSkipReason =
    "no request was sent, because the estimated cost of the first batch would cross the "
    + "budget (--budget)"

  /// Returns the digest's reason for a stage in which no paper got a score,
  /// from the stored reason of the first unscored paper.
  static func failureReason(firstUnscored stored: String) -> String {
    // A stored request failure reads `request failed: Request to … failed: …`,
    // so the prefix is dropped to say "failed" once.
    let prefix = UnscoredReason.requestFailedPrefix
    let cause =
      stored.hasPrefix(prefix)
      ? String(stored.dropFirst(prefix.count)) : DigestBuilder.readableReason(stored)
    return "no paper got a score, and the first cause was: \(cause)"
  }

  /// Returns why the LLM stage is skipped, or nil when it runs.
  ///
  /// Skipping on a missing key needs a named variable: an empty
  /// `llm.apiKeyVariable` sends no key. The reason shows the variable's
  /// name, never its value, and validation has already rejected a name that
  /// could be a pasted key.
  func skipReason(_ options: NightlyRunOptions, settings: LLMSettings) -> LLMSkip? {
    if options.skipLLM { return LLMSkip(reason: "--no-llm was given", isFault: false) }
    let variable = settings.apiKeyVariable
    let key = environment[variable] ?? ""
    if !variable.isEmpty, key.isEmpty, !settings.isLocalServer {
      let reason =
        "no API key in $\(variable) for \(SecretRedaction.displayURL(settings.baseURL)). "
        + "Export the key in \(variable), or set llm.apiKeyVariable to \"\" for a server that "
        + "needs no key"
      return LLMSkip(reason: reason, isFault: true)
    }
    return nil
  }

  /// Splits `usage` into the digest's token and dollar columns; the prompt
  /// dollars include the cached prompt tokens at their cached price.
  static func digestUsage(_ usage: TokenUsage, price: ModelPrice?) -> DigestContent.Usage {
    let cached = min(usage.cachedPromptTokens, usage.promptTokens)
    let uncached = usage.promptTokens - cached
    let price = price ?? .free
    let cachedDollars = Double(cached) * price.cachedInput / 1_000_000
    return DigestContent.Usage(
      promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
      cachedTokens: cached,
      promptDollars: Double(uncached) * price.input / 1_000_000 + cachedDollars,
      completionDollars: Double(usage.completionTokens) * price.output / 1_000_000,
      cachedDollars: cachedDollars)
  }
}
