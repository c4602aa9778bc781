import Foundation

/// Scores papers with an LLM over an OpenAI-compatible chat API, stores each
/// batch's scores and cost as it arrives, and keeps to a budget.
///
/// Papers already scored under the same model and prompt hash are not sent
/// again. The rest are sent in batches of `batchSize`. Within one call, a
/// paper that an answer with other scores left out, or gave an invalid
/// score, is sent once more, in a batch of half the size when the answer was
/// cut off. An answer that gave no paper a score is not sent again in the
/// call unless it was cut off, because the same prompt would most likely get
/// the same answer. Such papers have no stored score, so a later call (the
/// next run of the night) sends them again. Every paper ends with a score or
/// a reason. No further batch is sent after a failure that every later
/// request would repeat, and neither are papers queued to be sent again,
/// which keep the reason from their reply. Such failures are a rejected key,
/// an exhausted quota and a server that never responds. Two batches in a
/// row stop the stage too when both get server errors, or the same status
/// that rejects the request, such as 404 or 501. So do two batches in a row
/// with responses that are no chat completion, or with replies unusable in
/// the same way.
///
/// A response that reports no token usage is counted by the estimate that
/// the budget check uses, so that the budget and the digest still count it.
/// So is a 2xx response that is no chat completion, such as one without
/// choices, unless it reports usage, which is then kept.
public final class LLMScorer {
  public let settings: LLMSettings
  public let prompt: PromptBuilder
  /// The price per token, or nil when the price table has no entry for the model.
  public let price: ModelPrice?
  /// Whether ``price`` is zero only because the table lacks the model and the server is local.
  let priceAssumedFree: Bool
  let client: ChatClient
  let scores: ScoreStore
  let runs: RunStore
  let logger = Logger(label: "scoring")
  /// The gate that a signal handler closes to end the process between
  /// requests, or nil when nothing waits for the request in flight.
  public var requestGate: RequestGate?

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
  ///     unscored with reason `budget`, except papers queued to be sent
  ///     again, which keep the reason their answer gave.
  /// - Returns: Scores, unscored papers with reasons, tokens and dollars.
  /// - Throws: ``PaperSiftError`` when a budget is set but the model has no
  ///   price, or when the database fails. A failed request does not throw:
  ///   its papers are stored as unscored and the other batches go on, unless
  ///   the failure has a ``ChatRequestError/stopReason`` or completes a run
  ///   of ``RepeatedFailures``. Then the papers of every later batch are
  ///   stored as unscored with that reason, unsent, except papers queued to
  ///   be sent again, which keep the reason their answer gave.
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
    var leftOut: [Paper] = []
    var cutOff: [Paper] = []
    for (index, batch) in firstPass.enumerated() {
      let label = "scoring batch \(index + 1)/\(firstPass.count)"
      let again = try send(batch, label: label, isRetry: false, session: &session)
      leftOut += again.leftOut
      cutOff += again.cutOff
    }
    // Only a cut-off answer suggests that a smaller batch fits the output limit.
    let secondPass =
      leftOut.chunked(into: settings.batchSize)
      + cutOff.chunked(into: max(1, settings.batchSize / 2))
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
      usage: session.usage, costUSD: session.costUSD,
      estimatedRequests: session.estimatedRequests, requests: session.requests,
      priceKnown: price != nil)
    logger.info(
      "Scoring finished",
      [
        ("scored", "\(result.scores.count)"), ("unscored", "\(result.unscored.count)"),
        ("requests", "\(result.requests)"), ("prompt_tokens", "\(result.usage.promptTokens)"),
        ("cached_tokens", "\(result.usage.cachedPromptTokens)"),
        ("completion_tokens", "\(result.usage.completionTokens)"),
        ("cost_usd", String(format: "%.4f", result.costUSD)),
        ("estimated_requests", "\(result.estimatedRequests)"),
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
    let usage = estimatedUsage(papers, calibration: calibration)
    return (usage.promptTokens, price?.cost(of: usage) ?? 0)
  }

  /// Returns the estimated prompt and output tokens of sending `papers`, as
  /// ``estimate(_:calibration:)`` prices them.
  func estimatedUsage(_ papers: [Paper], calibration: Double) -> TokenUsage {
    let raw = TokenEstimate.promptTokens(of: prompt.messages(for: papers))
    let tokens = Int((Double(raw) * calibration).rounded(.up))
    var output = papers.count * settings.outputTokensPerPaper
    if settings.isReasoningModel { output += settings.reasoningTokensPerRequest }
    return TokenUsage(promptTokens: tokens, completionTokens: output)
  }

  /// Running totals of one call to ``score(_:runID:budgetUSD:)``.
  struct Session {
    let runID: Int64
    let budgetUSD: Double?
    var scored: [String: PaperScore] = [:]
    var unscored: [String: UnscoredReason] = [:]
    var usage = TokenUsage.zero
    var costUSD = 0.0
    var requests = 0
    /// Requests whose response reported no usage, counted by estimate.
    var estimatedRequests = 0
    var budgetReached = false
    /// The reason no further batch is sent, set once a request failed in a
    /// way that every later one would repeat.
    var stopReason: String?
    var failures = RepeatedFailures()
    /// The reason that each paper queued to be sent again keeps when its
    /// second batch is not sent.
    var resendReasons: [String: UnscoredReason] = [:]
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

  /// The papers of one batch to send once more.
  struct Resend {
    /// Papers that an answer with other scores left out or scored invalidly.
    var leftOut: [Paper] = []
    /// Papers without a score in an answer that was cut off.
    var cutOff: [Paper] = []
  }

  /// Sends one batch and stores the scores and usage of its response.
  ///
  /// - Returns: On the first pass, the papers to send again, as
  ///   ``store(_:of:record:estimate:isRetry:session:)`` chooses them. On the
  ///   retry pass, none, because such papers are stored as unscored instead.
  private func send(_ batch: [Paper], label: String, isRetry: Bool, session: inout Session)
    throws -> Resend
  {
    let estimatedUsage = estimatedUsage(batch, calibration: session.calibration)
    let estimatedCost = price?.cost(of: estimatedUsage) ?? 0
    if !session.budgetReached, let budget = session.budgetUSD,
      session.costUSD + estimatedCost > budget
    {
      session.budgetReached = true
      logger.warning(
        "Budget reached; papers left unscored",
        [
          ("budget_usd", String(format: "%.4f", budget)),
          ("spent_usd", String(format: "%.4f", session.costUSD)),
          ("next_batch_estimate_usd", String(format: "%.4f", estimatedCost)),
        ])
    }
    let unsent: UnscoredReason? =
      session.budgetReached ? .budget : session.stopReason.map { .notSent($0) }
    if let unsent {
      if isRetry {
        logger.warning(
          "Queued papers are not sent again and keep the reason of their first response",
          [
            ("batch", label), ("papers", "\(batch.count)"),
            ("cause", session.budgetReached ? "budget reached" : "LLM stage stopped"),
          ])
      }
      // A paper that was sent once keeps the reason its answer gave.
      try storeUnscored(
        batch.map { ($0.id, session.resendReasons[$0.id] ?? unsent) }, session: &session)
      return Resend()
    }

    ProgressLine.update("\(label), \(session.usage.totalTokens) tokens so far")
    session.requests += 1
    let number = session.requests
    let messages = prompt.messages(for: batch)
    let record = BatchRecord(
      runID: session.runID, number: number, papers: batch.count, model: settings.model,
      promptHash: promptHash, estimatedPromptTokens: estimatedUsage.promptTokens,
      estimatedCostUSD: estimatedCost, usage: .zero, costUSD: 0, status: .failed)

    // The note is written before sending, so that the request counts even if
    // the process dies before its response is stored. Recording the batch
    // removes the note.
    requestGate?.enter()
    defer { requestGate?.leave() }
    try runs.noteRequestSent(record, estimatedCompletionTokens: estimatedUsage.completionTokens)

    let completion: ChatCompletion
    do {
      let gate = requestGate
      completion = try client.complete(
        messages, maxOutputTokens: settings.maxOutputTokens,
        isStopping: { gate?.isClosed ?? false })
    } catch let error as ChatRequestError {
      try storeFailure(
        error, of: batch, record: record, estimate: estimatedUsage, session: &session)
      return Resend()
    }

    return try store(
      completion, of: batch, record: record, estimate: estimatedUsage, isRetry: isRetry,
      session: &session)
  }

  /// Keeps every later batch of the session from being sent, for `reason`.
  func stop(_ reason: String, batch: Int, session: inout Session) {
    session.stopReason = reason
    logger.error(
      "Stopping the LLM stage; later batches are not sent",
      [("batch", "\(batch)"), ("reason", reason)])
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
