import Foundation

/// Storing a response: its tokens, its scores, the papers it left without a
/// score, and whether it ends the LLM stage.
extension LLMScorer {
  /// The characters of an answer that a log line quotes.
  static let quotedAnswerLength = 200

  /// Stores the scores and usage of a response in one transaction, with the
  /// papers that stay unscored and the run's paper counts.
  ///
  /// A response without a usable score is stored as an `unusable` batch, and
  /// its tokens count like those of any other. A response without usage
  /// counts `estimate`, the tokens that the budget check priced before it
  /// was sent.
  ///
  /// - Returns: On the first pass, the papers to send again: those that an
  ///   answer with other scores left out or scored invalidly, and those
  ///   without a score in an answer that was cut off. Nothing on the retry
  ///   pass, whose papers without a score are stored as unscored, and
  ///   nothing when this answer stops the stage.
  func store(
    _ completion: ChatCompletion, of batch: [Paper], record: BatchRecord, estimate: TokenUsage,
    isRetry: Bool, session: inout Session
  ) throws -> Resend {
    var record = record
    count(
      completion.usageReported ? completion.usage : nil, estimate: estimate, of: batch,
      into: &record, session: &session)

    let ids = batch.map(\.id)
    let answer = AnswerParser.parse(completion.content, batchIDs: ids)
    let found = ids.compactMap { answer.scores[$0] }
    let cutOff = completion.finishReason == "length" || answer.endsIncomplete
    record.status = found.isEmpty ? .unusable : .ok
    var unusable: UnusableAnswer?
    if found.isEmpty {
      unusable = cutOff ? .cutOff : UnusableAnswer(answer)
    }
    // Known before the papers are sorted, so that an answer that stops the
    // stage queues none of its papers to be sent again.
    let stops = session.failures.recordAnswer(unusable)
    // An answer without any score is sent again only when it was cut off,
    // because the same request would most likely get the same answer.
    let resends = !isRetry && !stops && (cutOff || !found.isEmpty)
    var failed: [(String, UnscoredReason)] = []
    var again = Resend()
    for paper in batch {
      guard var reason = answer.reason(for: paper.id) else { continue }
      if cutOff, reason != .invalidScore { reason = .answerCutOff }
      if !resends {
        failed.append((paper.id, reason))
        continue
      }
      session.resendReasons[paper.id] = reason
      if cutOff {
        again.cutOff.append(paper)
      } else {
        again.leftOut.append(paper)
      }
    }
    logProblems(answer, batch: record.number)
    if !cutOff, !found.isEmpty || !answer.invalid.isEmpty {
      logLeftOut(answer.missing(from: ids), batch: record.number, resent: resends)
    }
    if cutOff, found.count < batch.count {
      logCutOff(
        completion, batch: record.number, papers: batch.count, scored: found.count,
        resent: resends)
    }

    try runs.database.transaction {
      let batchID = try runs.recordBatch(record)
      try scores.save(found, model: settings.model, promptHash: promptHash, batchID: batchID)
      // A retry carries only papers of earlier responses, which were counted then.
      try runs.countPapers(
        runID: session.runID, sent: isRetry ? 0 : batch.count, scored: found.count)
      try storeUnscored(failed, session: &session)
    }
    for score in found { session.scored[score.paperID] = score }
    logStored(record, completion: completion, scored: found.count)

    if let unusable {
      logUnusable(unusable, record: record, content: completion.content)
    }
    if stops, let unusable {
      let reason = RepeatedFailures.stopReason(
        after: unusable, settings: settings, endpoint: client.displayEndpoint)
      stop(reason, batch: record.number, session: &session)
    }
    return again
  }

  /// Sets the tokens and cost of `record` and adds them to the session: the
  /// `reported` ones, or `estimate` when the response reported no usage.
  func count(
    _ reported: TokenUsage?, estimate: TokenUsage, of batch: [Paper],
    into record: inout BatchRecord, session: inout Session
  ) {
    if let reported {
      record.usage = reported
      if reported.promptTokens > 0 {
        session.reportedPromptTokens += reported.promptTokens
        session.estimatedPromptTokens += TokenEstimate.promptTokens(
          of: prompt.messages(for: batch))
      }
    } else {
      record.usage = estimate
      record.usageEstimated = true
      session.estimatedRequests += 1
    }
    record.costUSD = price?.cost(of: record.usage) ?? 0
    session.usage += record.usage
    session.costUSD += record.costUSD
  }

  func storeUnscored(_ papers: [(String, UnscoredReason)], session: inout Session) throws {
    guard !papers.isEmpty else { return }
    try scores.saveUnscored(
      papers.map { UnscoredPaper(paperID: $0.0, reason: "\($0.1)") }, runID: session.runID)
    for (id, reason) in papers { session.unscored[id] = reason }
  }

  /// Returns the start of `content` on one line, cut at
  /// ``quotedAnswerLength`` characters, for a log line.
  ///
  /// ``ChatClient`` has already removed the API key and URL credentials
  /// from the content with ``SecretRedaction``.
  static func answerStart(_ content: String) -> String {
    let line = content.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    guard line.count > quotedAnswerLength else { return line }
    return line.prefix(quotedAnswerLength) + "…"
  }

  private func logProblems(_ answer: ParsedAnswer, batch: Int) {
    if !answer.unknownIDs.isEmpty {
      logger.warning(
        "LLM answer has ids not in the batch; ignored",
        [
          ("batch", "\(batch)"), ("count", "\(answer.unknownIDs.count)"),
          ("ids", answer.unknownIDs.prefix(20).joined(separator: ",")),
        ])
    }
    let conflicting = Set(answer.conflicts.map(\.kept.paperID))
    for id in answer.repeatedIDs where !conflicting.contains(id) {
      logger.warning(
        "LLM answer lists a paper more than once; its first valid entry is kept",
        [("batch", "\(batch)"), ("paper", id)])
    }
    for conflict in answer.conflicts {
      logger.warning(
        "LLM answer gives a paper conflicting scores; its first valid entry is kept",
        [
          ("batch", "\(batch)"), ("paper", conflict.kept.paperID),
          ("kept", conflict.kept.scoreText), ("ignored", conflict.ignored.scoreText),
        ])
    }
    for (id, fault) in answer.invalid.sorted(by: { $0.key < $1.key }) {
      logger.warning(
        "LLM answer has an invalid score", [("batch", "\(batch)"), ("paper", id), ("fault", fault)])
    }
  }

  /// Logs the papers of a batch that a complete reply left out while
  /// scoring other papers, and whether they are sent again.
  private func logLeftOut(_ ids: [String], batch: Int, resent: Bool) {
    guard !ids.isEmpty else { return }
    let message =
      resent
      ? "LLM answer left out papers of the batch; they are sent again"
      : "LLM answer left out papers of the batch; they stay unscored"
    logger.warning(
      message,
      [
        ("batch", "\(batch)"), ("count", "\(ids.count)"),
        ("ids", ids.prefix(20).joined(separator: ",")),
      ])
  }

  /// Logs how many papers of a batch whose answer was cut off got a score,
  /// and how many are sent again or stay unscored.
  private func logCutOff(
    _ completion: ChatCompletion, batch: Int, papers: Int, scored: Int, resent: Bool
  ) {
    let message =
      resent
      ? "LLM answer was cut off; its papers without a score are sent again in smaller batches"
      : "LLM answer was cut off; its papers without a score stay unscored"
    logger.warning(
      message,
      [
        ("batch", "\(batch)"), ("papers", "\(papers)"), ("scored", "\(scored)"),
        (resent ? "to_resend" : "unscored", "\(papers - scored)"),
        ("finish_reason", completion.finishReason ?? "none"),
        ("max_output_tokens", "\(settings.maxOutputTokens)"),
      ])
  }

  private func logUnusable(_ unusable: UnusableAnswer, record: BatchRecord, content: String) {
    logger.warning(
      "LLM answer gave no usable score; its tokens are paid and stored",
      [
        ("batch", "\(record.number)"), ("papers", "\(record.papers)"),
        ("cause", "\(unusable)"), ("answer_start", Self.answerStart(content)),
        ("prompt_tokens", "\(record.usage.promptTokens)"),
        ("completion_tokens", "\(record.usage.completionTokens)"),
      ])
  }

  private func logStored(_ record: BatchRecord, completion: ChatCompletion, scored: Int) {
    logger.info(
      "LLM batch stored",
      [
        ("batch", "\(record.number)"), ("papers", "\(record.papers)"),
        ("scored", "\(scored)"),
        ("prompt_tokens", "\(record.usage.promptTokens)"),
        ("estimated_prompt_tokens", "\(record.estimatedPromptTokens)"),
        ("cached_tokens", "\(record.usage.cachedPromptTokens)"),
        ("completion_tokens", "\(record.usage.completionTokens)"),
        ("usage", record.usageEstimated ? "estimated" : "reported"),
        ("cost_usd", String(format: "%.5f", record.costUSD)),
      ])
  }
}
