import Foundation

/// Scores papers with an LLM over an OpenAI-compatible chat API, stores each
/// batch's scores and cost as it arrives, and keeps to a budget.
///
/// Papers already scored under the same model and prompt hash are not sent
/// again. The rest are sent in batches of `batchSize`. A paper missing from
/// a response, or given an invalid score, is sent once more in a smaller
/// batch and then stored as unscored with the reason. So every paper ends
/// with a score or a reason. After a failure that every later request would
/// repeat (a rejected key, an exhausted quota, a server that never responds),
/// no further batch is sent.
public final class LLMScorer {
  public let settings: LLMSettings
  public let prompt: PromptBuilder
  /// The price per token, or nil when the price table has no entry for the model.
  public let price: ModelPrice?
  /// Whether ``price`` is zero only because the table lacks the model and the server is local.
  let priceAssumedFree: Bool
  private let client: ChatClient
  private let scores: ScoreStore
  private let runs: RunStore
  private let logger = Logger(label: "scoring")

  /// Creates a scorer for one setup: settings, the user's topics text and a
  /// price table.
  ///
  /// - Parameters:
  ///   - settings: The `llm` section of the configuration.
  ///   - topics: The user's topics file, put verbatim into the prompt.
  ///   - database: Where scores, batches and unscored papers are stored.
  ///   - prices: The table to price tokens by; nil loads the one that
  ///     `settings.pricesPath` names, else the built-in one. A model that the
  ///     table does not list costs nothing on a server on this machine.
  ///   - environment: Where the API key is read, by the name in the settings.
  /// - Throws: ``PaperSiftError`` for invalid settings, an unreadable price
  ///   table or a missing API key.
  public init(
    settings: LLMSettings, topics: String, database: Database, prices: PriceTable? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws {
    self.settings = settings
    self.prompt = PromptBuilder(topics: topics, model: settings.model, jsonMode: settings.jsonMode)
    self.client = try ChatClient(settings: settings, environment: environment)
    let table = try prices ?? PriceTable.load(settings: settings)
    self.price = table.price(for: settings)
    self.priceAssumedFree = table.price(for: settings.model) == nil && settings.isLocalServer
    self.scores = ScoreStore(database: database)
    self.runs = RunStore(database: database)
  }

  /// The identity of this scoring setup, stored with every score.
  public var promptHash: String { prompt.promptHash }

  /// Scores `papers` as part of a run.
  ///
  /// - Parameters:
  ///   - papers: The papers to score, most important first, since batches
  ///     go out in this order and a budget cuts off the tail.
  ///   - runID: The `runs` row that batches and unscored papers belong to.
  ///   - budgetUSD: The maximum this call may spend, checked by estimate
  ///     before each request. A batch whose estimated cost would cross it is
  ///     not sent. Its papers and those of every later batch are stored as
  ///     unscored with reason `budget`.
  /// - Returns: Scores, unscored papers with reasons, tokens and dollars.
  /// - Throws: ``PaperSiftError`` when a budget is set but the model has no
  ///   price, or when the database fails. A failed request does not throw:
  ///   its papers are stored as unscored and the other batches go on, unless
  ///   the failure has a ``ChatRequestError/stopReason``. Then the papers of
  ///   every later batch are stored as unscored with that reason, unsent.
  public func score(_ papers: [Paper], runID: Int64, budgetUSD: Double? = nil) throws
    -> ScoringResult
  {
    if budgetUSD != nil, price == nil {
      throw PaperSiftError(
        .configuration,
        "The price table has no price for the model '\(settings.model)', so a budget cannot be "
          + "kept. Add the model to a price file named in llm.pricesPath, or run without "
          + "--budget.")
    }
    if price == nil {
      logger.warning(
        "No price for the model; its cost is counted as 0", [("model", settings.model)])
    }
    if budgetUSD != nil, priceAssumedFree {
      // NOTE: A local proxy that forwards to a paid API is not recognised as such.
      logger.warning(
        "The model has no price and the server is on this machine, so it counts as free and "
          + "the budget limits nothing; if the server forwards to a paid API, add the model "
          + "to a price file named in llm.pricesPath",
        [("model", settings.model), ("host", URLComponents(string: settings.baseURL)?.host ?? "")])
    }

    var unique: [Paper] = []
    var seen: Set<String> = []
    for paper in papers where seen.insert(paper.id).inserted { unique.append(paper) }
    let stored = try scores.scores(
      for: unique.map(\.id), model: settings.model, promptHash: promptHash)
    let pending = unique.filter { stored[$0.id] == nil }
    logger.info(
      "Scoring papers",
      [
        ("papers", "\(unique.count)"), ("already_scored", "\(stored.count)"),
        ("to_send", "\(pending.count)"), ("model", settings.model),
      ])

    var session = Session(runID: runID, budgetUSD: budgetUSD)
    let firstPass = pending.chunked(into: settings.batchSize)
    var retry: [Paper] = []
    for (index, batch) in firstPass.enumerated() {
      let label = "scoring batch \(index + 1)/\(firstPass.count)"
      retry += try send(batch, label: label, isRetry: false, session: &session)
    }
    let retrySize = max(1, min(retry.count, settings.batchSize / 2))
    let secondPass = retry.chunked(into: retrySize)
    for (index, batch) in secondPass.enumerated() {
      let label = "scoring retry batch \(index + 1)/\(secondPass.count)"
      _ = try send(batch, label: label, isRetry: true, session: &session)
    }
    ProgressLine.clearIfShown()

    let result = ScoringResult(
      scores: unique.compactMap { stored[$0.id] ?? session.scored[$0.id] },
      cachedIDs: unique.map(\.id).filter { stored[$0] != nil },
      unscored: unique.compactMap { paper in
        session.unscored[paper.id].map { UnscoredPaper(paperID: paper.id, reason: "\($0)") }
      },
      usage: session.usage, costUSD: session.costUSD, requests: session.requests,
      priceKnown: price != nil)
    logger.info(
      "Scoring finished",
      [
        ("scored", "\(result.scores.count)"), ("unscored", "\(result.unscored.count)"),
        ("requests", "\(result.requests)"), ("prompt_tokens", "\(result.usage.promptTokens)"),
        ("cached_tokens", "\(result.usage.cachedPromptTokens)"),
        ("completion_tokens", "\(result.usage.completionTokens)"),
        ("cost_usd", String(format: "%.4f", result.costUSD)),
      ])
    return result
  }

  /// Returns the estimated prompt tokens and cost of sending `papers`.
  ///
  /// The token count is ``TokenEstimate``'s, scaled by `calibration`; the
  /// output is `outputTokensPerPaper` per paper, plus
  /// `reasoningTokensPerRequest` for reasoning models. Cached prompt tokens
  /// are not counted, so the estimate errs high.
  public func estimate(_ papers: [Paper], calibration: Double = 1) -> (tokens: Int, costUSD: Double)
  {
    let raw = TokenEstimate.promptTokens(of: prompt.messages(for: papers))
    let tokens = Int((Double(raw) * calibration).rounded(.up))
    var output = papers.count * settings.outputTokensPerPaper
    if settings.isReasoningModel { output += settings.reasoningTokensPerRequest }
    let usage = TokenUsage(promptTokens: tokens, completionTokens: output)
    return (tokens, price?.cost(of: usage) ?? 0)
  }

  /// Running totals of one call to ``score(_:runID:budgetUSD:)``.
  private struct Session {
    let runID: Int64
    let budgetUSD: Double?
    var scored: [String: PaperScore] = [:]
    var unscored: [String: UnscoredReason] = [:]
    var usage = TokenUsage.zero
    var costUSD = 0.0
    var requests = 0
    var budgetReached = false
    /// The reason no further batch is sent, set once a request failed in a
    /// way that every later one would repeat.
    var stopReason: String?
    /// Reported and unscaled estimated prompt tokens of the answered
    /// requests, whose ratio scales later estimates.
    var reportedPromptTokens = 0
    var estimatedPromptTokens = 0

    var calibration: Double {
      guard estimatedPromptTokens > 0, reportedPromptTokens > 0 else { return 1 }
      let ratio = Double(reportedPromptTokens) / Double(estimatedPromptTokens)
      return min(3, max(0.5, ratio))
    }
  }

  /// Sends one batch and stores the scores and usage of its response.
  ///
  /// - Returns: On the first pass, the papers to send again because the
  ///   response missed them or gave invalid scores. On the retry pass, none,
  ///   because such papers are stored as unscored instead.
  private func send(_ batch: [Paper], label: String, isRetry: Bool, session: inout Session)
    throws -> [Paper]
  {
    let estimate = estimate(batch, calibration: session.calibration)
    if !session.budgetReached, let budget = session.budgetUSD,
      session.costUSD + estimate.costUSD > budget
    {
      session.budgetReached = true
      logger.warning(
        "Budget reached; papers left unscored",
        [
          ("budget_usd", String(format: "%.4f", budget)),
          ("spent_usd", String(format: "%.4f", session.costUSD)),
          ("next_batch_estimate_usd", String(format: "%.4f", estimate.costUSD)),
        ])
    }
    if session.budgetReached {
      try storeUnscored(batch.map { ($0.id, .budget) }, session: &session)
      return []
    }
    if let stopReason = session.stopReason {
      try storeUnscored(batch.map { ($0.id, .notSent(stopReason)) }, session: &session)
      return []
    }

    ProgressLine.update("\(label), \(session.usage.totalTokens) tokens so far")
    session.requests += 1
    let number = session.requests
    let messages = prompt.messages(for: batch)
    var record = BatchRecord(
      runID: session.runID, number: number, papers: batch.count, model: settings.model,
      promptHash: promptHash, estimatedPromptTokens: estimate.tokens,
      estimatedCostUSD: estimate.costUSD, usage: .zero, costUSD: 0, status: .failed)

    let completion: ChatCompletion
    do {
      completion = try client.complete(messages, maxOutputTokens: settings.maxOutputTokens)
    } catch let error as ChatRequestError {
      logger.error(
        "LLM batch failed",
        [("batch", "\(number)"), ("papers", "\(batch.count)"), ("error", error.message)])
      record.error = error.message
      let reason = UnscoredReason.requestFailed(error.message)
      try runs.database.transaction {
        _ = try runs.recordBatch(record)
        try storeUnscored(batch.map { ($0.id, reason) }, session: &session)
      }
      if let stopReason = error.stopReason {
        session.stopReason = stopReason
        logger.error(
          "Stopping the LLM stage; later batches are not sent",
          [("batch", "\(number)"), ("reason", stopReason)])
      }
      return []
    }

    return try store(completion, of: batch, record: record, isRetry: isRetry, session: &session)
  }

  /// Stores the scores and usage of a response in one transaction, with the
  /// papers that stay unscored on the retry pass and the run's paper counts.
  ///
  /// A response without a usable score is stored as an `unusable` batch, and
  /// its tokens count like those of any other.
  ///
  /// - Returns: The papers to send again, as ``send(_:label:isRetry:session:)`` does.
  private func store(
    _ completion: ChatCompletion, of batch: [Paper], record: BatchRecord, isRetry: Bool,
    session: inout Session
  ) throws -> [Paper] {
    var record = record
    record.usage = completion.usage
    record.costUSD = price?.cost(of: completion.usage) ?? 0
    session.usage += completion.usage
    session.costUSD += record.costUSD
    if completion.usage.promptTokens > 0 {
      session.reportedPromptTokens += completion.usage.promptTokens
      session.estimatedPromptTokens += TokenEstimate.promptTokens(
        of: prompt.messages(for: batch))
    }

    let ids = batch.map(\.id)
    let answer = AnswerParser.parse(completion.content, batchIDs: ids)
    logProblems(answer, completion: completion, batch: record.number)
    let found = ids.compactMap { answer.scores[$0] }
    record.status = found.isEmpty ? .unusable : .ok
    var failed: [(String, UnscoredReason)] = []
    var again: [Paper] = []
    for paper in batch where answer.scores[paper.id] == nil {
      let reason: UnscoredReason =
        answer.invalid[paper.id] == nil ? .missingFromAnswer : .invalidScore
      if isRetry { failed.append((paper.id, reason)) } else { again.append(paper) }
    }

    try runs.database.transaction {
      let batchID = try runs.recordBatch(record)
      try scores.save(found, model: settings.model, promptHash: promptHash, batchID: batchID)
      // A retry carries only papers of earlier responses, which were counted then.
      try runs.countPapers(
        runID: session.runID, sent: isRetry ? 0 : batch.count, scored: found.count)
      try storeUnscored(failed, session: &session)
    }
    if record.status == .unusable {
      logger.warning(
        "LLM answer gave no usable score; its tokens are paid and stored",
        [
          ("batch", "\(record.number)"), ("papers", "\(batch.count)"),
          ("prompt_tokens", "\(completion.usage.promptTokens)"),
          ("completion_tokens", "\(completion.usage.completionTokens)"),
        ])
    }
    for score in found { session.scored[score.paperID] = score }
    logger.info(
      "LLM batch stored",
      [
        ("batch", "\(record.number)"), ("papers", "\(batch.count)"),
        ("scored", "\(found.count)"),
        ("prompt_tokens", "\(completion.usage.promptTokens)"),
        ("estimated_prompt_tokens", "\(record.estimatedPromptTokens)"),
        ("cached_tokens", "\(completion.usage.cachedPromptTokens)"),
        ("completion_tokens", "\(completion.usage.completionTokens)"),
        ("cost_usd", String(format: "%.5f", record.costUSD)),
      ])
    return again
  }

  private func storeUnscored(_ papers: [(String, UnscoredReason)], session: inout Session) throws {
    guard !papers.isEmpty else { return }
    try scores.saveUnscored(
      papers.map { UnscoredPaper(paperID: $0.0, reason: "\($0.1)") }, runID: session.runID)
    for (id, reason) in papers { session.unscored[id] = reason }
  }

  private func logProblems(_ answer: ParsedAnswer, completion: ChatCompletion, batch: Int) {
    if !answer.unknownIDs.isEmpty {
      logger.warning(
        "LLM answer has ids not in the batch; ignored",
        [("batch", "\(batch)"), ("ids", answer.unknownIDs.prefix(20).joined(separator: ","))])
    }
    for id in answer.repeatedIDs {
      logger.warning(
        "LLM answer lists a paper more than once; its first valid entry is kept",
        [("batch", "\(batch)"), ("paper", id)])
    }
    for (id, fault) in answer.invalid.sorted(by: { $0.key < $1.key }) {
      logger.warning(
        "LLM answer has an invalid score", [("batch", "\(batch)"), ("paper", id), ("fault", fault)])
    }
    if completion.finishReason == "length" || answer.endsIncomplete {
      logger.warning(
        "LLM answer was cut off; its last entry is dropped",
        [
          ("batch", "\(batch)"), ("finish_reason", completion.finishReason ?? "none"),
          ("max_output_tokens", "\(settings.maxOutputTokens)"),
        ])
    }
  }
}

extension Array {
  /// Returns consecutive slices of at most `size` elements.
  fileprivate func chunked(into size: Int) -> [[Element]] {
    stride(from: 0, to: count, by: Swift.max(1, size)).map { start in
      Array(self[start..<Swift.min(start + size, count)])
    }
  }
}
