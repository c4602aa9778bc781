import Foundation

/// Storing a failed request: its batch, its papers as unscored, the tokens
/// of a response that is no chat completion, and whether it ends the LLM stage.
extension LLMScorer {
  /// Stores the batch of a failed request and its papers as unscored in one
  /// transaction, then stops the stage when the failure has a
  /// ``ChatRequestError/stopReason`` or completes a run of
  /// ``RepeatedFailures``.
  ///
  /// A 2xx response that is no chat completion with a choice is stored as
  /// an `unusable` batch. The provider may bill it, so it counts the tokens
  /// that it reports, or `estimate` when it reports none, as a reply
  /// without usage does.
  func storeFailure(
    _ error: ChatRequestError, of batch: [Paper], record: BatchRecord, estimate: TokenUsage,
    session: inout Session
  ) throws {
    var record = record
    record.error = error.message
    var metadata = [("batch", "\(record.number)"), ("papers", "\(batch.count)")]
    if error.unusableResponse != nil {
      record.status = .unusable
      count(error.reportedUsage, estimate: estimate, of: batch, into: &record, session: &session)
      metadata += [
        ("prompt_tokens", "\(record.usage.promptTokens)"),
        ("completion_tokens", "\(record.usage.completionTokens)"),
        ("usage", record.usageEstimated ? "estimated" : "reported"),
        ("cost_usd", String(format: "%.5f", record.costUSD)),
      ]
    }
    logger.error("LLM batch failed", metadata + [("error", error.message)])
    let reason = UnscoredReason.requestFailed(error.message)
    try runs.database.transaction {
      _ = try runs.recordBatch(record)
      try storeUnscored(batch.map { ($0.id, reason) }, session: &session)
    }

    if let stopReason = error.stopReason {
      stop(stopReason, batch: record.number, session: &session)
    } else if let unusable = error.unusableResponse {
      guard session.failures.recordResponse(unusable) else { return }
      let reason = session.failures.responseStopReason(
        settings: settings, endpoint: client.displayEndpoint)
      stop(reason, batch: record.number, session: &session)
    } else if session.failures.recordFailure(status: error.status) {
      let reason = session.failures.failureStopReason(
        settings: settings, endpoint: client.displayEndpoint)
      stop(reason, batch: record.number, session: &session)
    }
  }
}
