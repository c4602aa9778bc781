import Foundation

/// One request of a night under one model and prompt, with the papers its
/// response gave a score.
struct SetupBatch: Sendable, Equatable {
  var usage: BatchUsage
  /// The papers whose stored score this request returned, of any night.
  var scoredPapers: Int
  /// The papers of ``scoredPapers`` announced on the night of the request's run.
  var scoredPapersOfNight: Int
}

extension RunStore {
  /// Returns every request of the runs of the night `date` under `model` and
  /// `promptHash`, one per `batches` row, with the papers its response gave
  /// a score.
  ///
  /// A score counts for the request that stored it last, so a request whose
  /// scores were all stored again later counts as one that returned none.
  func setupBatches(date: String, model: String, promptHash: String) throws -> [SetupBatch] {
    try database.rows(
      """
      SELECT b.run_id, b.prompt_tokens, b.completion_tokens, b.cached_tokens,
             b.usage_estimated,
             (SELECT COUNT(*) FROM scores s
              WHERE s.batch_id = b.id AND s.model = b.model AND s.prompt_hash = b.prompt_hash),
             (SELECT COUNT(*) FROM scores s
              JOIN announcements a ON a.paper_id = s.paper_id AND a.date = r.date
              WHERE s.batch_id = b.id AND s.model = b.model AND s.prompt_hash = b.prompt_hash)
      FROM batches b JOIN runs r ON b.run_id = r.id
      WHERE r.date = ? AND b.model = ? AND b.prompt_hash = ?
      ORDER BY b.id
      """,
      [.text(date), .text(model), .text(promptHash)]
    ).map { row in
      SetupBatch(
        usage: BatchUsage(
          runID: Int64(row.int(0) ?? 0), model: model, promptHash: promptHash,
          usage: TokenUsage(
            promptTokens: row.int(1) ?? 0, completionTokens: row.int(2) ?? 0,
            cachedPromptTokens: row.int(3) ?? 0),
          estimatedBatches: row.int(4) ?? 0),
        scoredPapers: row.int(5) ?? 0, scoredPapersOfNight: row.int(6) ?? 0)
    }
  }
}
