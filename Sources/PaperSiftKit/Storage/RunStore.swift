import Foundation

/// The state of a nightly run, as stored in `runs.status`.
public enum RunStatus: String, Sendable, Codable {
  case running
  /// Every paper that reached the LLM was scored.
  case ok
  /// The run finished, but some papers stayed unscored.
  case partial
  case failed
  /// The process ended before finishing the run, killed for example.
  case interrupted
}

/// The state of one chat-completions request, as stored in `batches.status`.
public enum BatchStatus: String, Sendable, Codable {
  /// The response gave at least one paper a usable score.
  case ok
  /// The response came back, and its tokens are paid for, but it gave no
  /// paper a usable score: every entry was missing or invalid, or the
  /// response was no chat completion with a choice.
  case unusable
  /// The request failed after every attempt.
  case failed
}

/// The figures of a finished run that stages other than scoring report.
/// A nil field leaves the stored value as it is.
///
/// The papers sent and scored are not among them, because
/// ``RunStore/countPapers(runID:sent:scored:)`` adds to those as each batch
/// is stored.
public struct RunSummary: Sendable, Equatable {
  /// Papers announced that night.
  public var papers: Int?
  /// Papers above the cut-off, chosen for the LLM whether sent or not.
  public var aboveCutoff: Int?
  /// Papers drawn from below the cut-off for the audit sample, sent or not.
  public var audited: Int?
  public var estimatedRecall: Double?
  public var recallLow: Double?
  public var recallHigh: Double?
  public var cutoffPolicy: String?
  public var cutoffValue: Double?
  public var digestPath: String?

  public init(
    papers: Int? = nil, aboveCutoff: Int? = nil, audited: Int? = nil,
    estimatedRecall: Double? = nil,
    recallLow: Double? = nil, recallHigh: Double? = nil, cutoffPolicy: String? = nil,
    cutoffValue: Double? = nil, digestPath: String? = nil
  ) {
    self.papers = papers
    self.aboveCutoff = aboveCutoff
    self.audited = audited
    self.estimatedRecall = estimatedRecall
    self.recallLow = recallLow
    self.recallHigh = recallHigh
    self.cutoffPolicy = cutoffPolicy
    self.cutoffValue = cutoffValue
    self.digestPath = digestPath
  }
}

/// One chat-completions request of a run: what it was estimated to cost,
/// what it cost, and whether it gave usable scores.
public struct BatchRecord: Sendable, Equatable {
  public var runID: Int64
  /// The position of the request in the run, from 1.
  public var number: Int
  public var papers: Int
  public var model: String
  public var promptHash: String
  public var estimatedPromptTokens: Int
  public var estimatedCostUSD: Double
  public var usage: TokenUsage
  public var costUSD: Double
  public var status: BatchStatus
  /// The error message of a failed request, without secrets.
  public var error: String?
  /// Whether the response reported no token usage, so that ``usage`` and
  /// ``costUSD`` are the estimate of what was sent.
  public var usageEstimated: Bool

  public init(
    runID: Int64, number: Int, papers: Int, model: String, promptHash: String,
    estimatedPromptTokens: Int, estimatedCostUSD: Double, usage: TokenUsage, costUSD: Double,
    status: BatchStatus, error: String? = nil, usageEstimated: Bool = false
  ) {
    self.runID = runID
    self.number = number
    self.papers = papers
    self.model = model
    self.promptHash = promptHash
    self.estimatedPromptTokens = estimatedPromptTokens
    self.estimatedCostUSD = estimatedCostUSD
    self.usage = usage
    self.costUSD = costUSD
    self.status = status
    self.error = error
    self.usageEstimated = usageEstimated
  }
}

/// A run's stored state, paper counts and token totals.
public struct RunRecord: Sendable, Equatable {
  public var id: Int64
  public var date: String
  public var status: RunStatus
  public var started: String
  public var finished: String?
  public var model: String?
  public var usage: TokenUsage
  public var costUSD: Double
  /// Papers announced that night.
  public var papers: Int
  /// Papers above the cut-off, chosen for the LLM whether sent or not.
  public var aboveCutoff: Int
  /// Papers drawn from below the cut-off for the audit sample, sent or not.
  public var audited: Int
  /// Papers in this run's requests that returned a chat completion, audit
  /// sample included, each counted once. Nil for runs recorded before
  /// schema version 3.
  public var sent: Int?
  /// Papers that this run's responses gave a usable score.
  public var scored: Int?
  /// Batches whose response reported no token usage, so that ``usage`` and
  /// ``costUSD`` count their estimate.
  public var estimatedBatches: Int = 0
}

/// The summed tokens of the batches of one run under one model and prompt.
public struct BatchUsage: Sendable, Equatable {
  public var runID: Int64
  public var model: String
  public var promptHash: String
  public var usage: TokenUsage
  /// Batches whose response reported no token usage, so that ``usage``
  /// counts their estimate.
  public var estimatedBatches: Int
}

/// The `runs` and `batches` tables.
public struct RunStore {
  public let database: Database

  public init(database: Database) {
    self.database = database
  }

  /// The command that records a run, as stored in `runs.command`.
  public enum Command: String, Sendable {
    /// The nightly job, which ranks the night and chooses the papers for the LLM.
    case run
    /// `papersift score`, which scores the papers of a file.
    case score
  }

  /// Inserts a run of `command` in state `running` for the announcement day
  /// `date` (`YYYY-MM-DD`) and returns its id.
  public func startRun(
    date: String, model: String? = nil, promptHash: String? = nil, budgetUSD: Double? = nil,
    command: Command = .run
  ) throws -> Int64 {
    try database.run(
      """
      INSERT INTO runs (date, started, status, llm_model, prompt_hash, budget_usd, sent, scored,
        command)
      VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)
      """,
      [
        .text(date), .text(RunStore.timestamp()), .text(RunStatus.running.rawValue),
        model.map(SQLValue.text) ?? .null, promptHash.map(SQLValue.text) ?? .null,
        budgetUSD.map(SQLValue.real) ?? .null, .text(command.rawValue),
      ])
    return database.lastInsertRowID
  }

  /// Marks every run still `running` as `interrupted`.
  ///
  /// Call it only while holding the run lock: no other run is active then, so
  /// such a run was cut short, killed for example.
  ///
  /// - Returns: The requests those runs left waiting for a response, now
  ///   recorded as failed batches, as ``settleLostRequests()`` describes.
  @discardableResult
  public func markUnfinishedRunsInterrupted() throws -> [BatchRecord] {
    try database.transaction {
      try database.run(
        "UPDATE runs SET status = ? WHERE status = ?",
        [.text(RunStatus.interrupted.rawValue), .text(RunStatus.running.rawValue)])
      return try settleLostRequests()
    }
  }

  /// Sets `status` and the finish time on every run still `running`. Only
  /// the process that holds the run lock may call it, because then its own
  /// run is the only one running.
  ///
  /// - Returns: The requests those runs left waiting for a response, now
  ///   recorded as failed batches, as ``settleLostRequests()`` describes.
  @discardableResult
  public func finishRunningRuns(as status: RunStatus) throws -> [BatchRecord] {
    try database.transaction {
      try database.run(
        "UPDATE runs SET status = ?, finished = ? WHERE status = ?",
        [.text(status.rawValue), .text(RunStore.timestamp()), .text(RunStatus.running.rawValue)])
      return try settleLostRequests()
    }
  }

  /// Returns how many LLM requests the runs still `running` have sent,
  /// completed or still in flight.
  public func requestCountOfRunningRuns() throws -> Int {
    let count = try database.scalar(
      """
      SELECT (SELECT COUNT(*) FROM batches b JOIN runs r ON b.run_id = r.id WHERE r.status = ?1)
        + (SELECT COUNT(*) FROM requests_in_flight f JOIN runs r ON f.run_id = r.id
           WHERE r.status = ?1)
      """, [.text(RunStatus.running.rawValue)])
    guard case .integer(let value) = count else { return 0 }
    return Int(value)
  }

  /// Records the paper counts of a run that has chosen the papers for the
  /// LLM, before it sends any request, so that an interrupted or killed
  /// run keeps them.
  ///
  /// - Parameters:
  ///   - id: The run.
  ///   - papers: The papers announced that night.
  ///   - aboveCutoff: The papers above the cut-off, chosen for the LLM.
  ///   - audited: The papers drawn from below the cut-off for the audit sample.
  /// - Throws: ``PaperSiftError`` with code `database` when the update fails.
  public func recordChosenPapers(_ id: Int64, papers: Int, aboveCutoff: Int, audited: Int) throws {
    try database.run(
      "UPDATE runs SET papers = ?, above_cutoff = ?, audited = ? WHERE id = ?",
      [
        .integer(Int64(papers)), .integer(Int64(aboveCutoff)), .integer(Int64(audited)),
        .integer(id),
      ])
  }

  /// Notes that the request of `batch` is about to be sent, so that it is
  /// counted even when its run ends before the response arrives.
  ///
  /// ``recordBatch(_:)`` removes the note when the request's outcome is
  /// stored.
  ///
  /// - Parameters:
  ///   - batch: The batch as it would be recorded had it failed, with its
  ///     estimated prompt tokens and cost.
  ///   - estimatedCompletionTokens: The completion tokens the budget check
  ///     expects.
  /// - Throws: ``PaperSiftError`` with code `database` when the insert fails.
  public func noteRequestSent(_ batch: BatchRecord, estimatedCompletionTokens: Int) throws {
    try database.run(
      """
      INSERT OR REPLACE INTO requests_in_flight (run_id, number, papers, model, prompt_hash,
        estimated_prompt_tokens, estimated_completion_tokens, estimated_cost_usd, started)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        .integer(batch.runID), .integer(Int64(batch.number)), .integer(Int64(batch.papers)),
        .text(batch.model), .text(batch.promptHash), .integer(Int64(batch.estimatedPromptTokens)),
        .integer(Int64(estimatedCompletionTokens)), .real(batch.estimatedCostUSD),
        .text(RunStore.timestamp()),
      ])
  }

  /// The error stored on a request whose run ended while it waited.
  public static let lostRequestError =
    "The run ended while this request waited for its response. The provider may have billed "
    + "it, so its estimated tokens and cost are counted; its papers are sent again by the "
    + "next run of the night."

  /// Records every request left waiting by a run that is no longer
  /// running as a failed batch at its estimated tokens and cost, marked
  /// estimated, because the provider may have billed it.
  ///
  /// - Returns: The batches recorded.
  private func settleLostRequests() throws -> [BatchRecord] {
    let rows = try database.rows(
      """
      SELECT f.run_id, f.number, f.papers, f.model, f.prompt_hash, f.estimated_prompt_tokens,
        f.estimated_completion_tokens, f.estimated_cost_usd
      FROM requests_in_flight f JOIN runs r ON f.run_id = r.id
      WHERE r.status != ?
      ORDER BY f.run_id, f.number
      """,
      [.text(RunStatus.running.rawValue)])
    var lost: [BatchRecord] = []
    for row in rows {
      let estimate = TokenUsage(promptTokens: row.int(5) ?? 0, completionTokens: row.int(6) ?? 0)
      let cost = row.double(7) ?? 0
      let batch = BatchRecord(
        runID: Int64(row.int(0) ?? 0), number: row.int(1) ?? 0, papers: row.int(2) ?? 0,
        model: row.string(3) ?? "", promptHash: row.string(4) ?? "",
        estimatedPromptTokens: estimate.promptTokens, estimatedCostUSD: cost, usage: estimate,
        costUSD: cost, status: .failed, error: Self.lostRequestError, usageEstimated: true)
      _ = try recordBatch(batch)
      lost.append(batch)
    }
    if !lost.isEmpty {
      Logger(label: "runs").warning(
        "A run ended while LLM requests waited for their responses. The provider may have billed "
          + "them, so their estimated cost counts in the night's total; their papers are sent "
          + "again by the next run of the night",
        [
          ("requests", "\(lost.count)"), ("papers", "\(lost.reduce(0) { $0 + $1.papers })"),
          ("estimated_usd", String(format: "%.4f", lost.reduce(0) { $0 + $1.costUSD })),
        ])
    }
    return lost
  }

  /// Returns the tokens of the batches of every run of the night `date`,
  /// summed by run, model and prompt, in that order.
  public func batchUsage(date: String) throws -> [BatchUsage] {
    try database.rows(
      """
      SELECT b.run_id, b.model, b.prompt_hash, SUM(b.prompt_tokens), SUM(b.completion_tokens),
             SUM(b.cached_tokens), SUM(b.usage_estimated)
      FROM batches b JOIN runs r ON b.run_id = r.id
      WHERE r.date = ?
      GROUP BY b.run_id, b.model, b.prompt_hash
      ORDER BY b.run_id, b.model, b.prompt_hash
      """,
      [.text(date)]
    ).map { row in
      BatchUsage(
        runID: Int64(row.int(0) ?? 0), model: row.string(1) ?? "", promptHash: row.string(2) ?? "",
        usage: TokenUsage(
          promptTokens: row.int(3) ?? 0, completionTokens: row.int(4) ?? 0,
          cachedPromptTokens: row.int(5) ?? 0),
        estimatedBatches: row.int(6) ?? 0)
    }
  }

  /// Sets the run's final status, finish time and the figures in `summary`.
  public func finishRun(_ id: Int64, status: RunStatus, summary: RunSummary = RunSummary())
    throws
  {
    func integer(_ value: Int?) -> SQLValue { value.map { .integer(Int64($0)) } ?? .null }
    func real(_ value: Double?) -> SQLValue { value.map(SQLValue.real) ?? .null }
    func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    try database.run(
      """
      UPDATE runs SET status = ?, finished = ?,
        papers = COALESCE(?, papers), above_cutoff = COALESCE(?, above_cutoff),
        audited = COALESCE(?, audited),
        estimated_recall = COALESCE(?, estimated_recall), recall_low = COALESCE(?, recall_low),
        recall_high = COALESCE(?, recall_high), cutoff_policy = COALESCE(?, cutoff_policy),
        cutoff_value = COALESCE(?, cutoff_value), digest_path = COALESCE(?, digest_path)
      WHERE id = ?
      """,
      [
        .text(status.rawValue), .text(RunStore.timestamp()), integer(summary.papers),
        integer(summary.aboveCutoff), integer(summary.audited), real(summary.estimatedRecall),
        real(summary.recallLow), real(summary.recallHigh), text(summary.cutoffPolicy),
        real(summary.cutoffValue), text(summary.digestPath), .integer(id),
      ])
  }

  /// Inserts a batch and adds its tokens and cost to the run's totals.
  ///
  /// Call it inside the transaction that stores the batch's scores, so that
  /// the scores and what they cost are kept or lost together.
  ///
  /// - Returns: The id of the batch row.
  public func recordBatch(_ batch: BatchRecord) throws -> Int64 {
    try database.run(
      """
      INSERT INTO batches (run_id, number, papers, model, prompt_hash, estimated_prompt_tokens,
        estimated_cost_usd, prompt_tokens, completion_tokens, cached_tokens, cost_usd, status,
        error, created, usage_estimated)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        .integer(batch.runID), .integer(Int64(batch.number)), .integer(Int64(batch.papers)),
        .text(batch.model), .text(batch.promptHash), .integer(Int64(batch.estimatedPromptTokens)),
        .real(batch.estimatedCostUSD), .integer(Int64(batch.usage.promptTokens)),
        .integer(Int64(batch.usage.completionTokens)),
        .integer(Int64(batch.usage.cachedPromptTokens)), .real(batch.costUSD),
        .text(batch.status.rawValue), batch.error.map(SQLValue.text) ?? .null,
        .text(RunStore.timestamp()), .integer(batch.usageEstimated ? 1 : 0),
      ])
    let batchID = database.lastInsertRowID
    try database.run(
      "DELETE FROM requests_in_flight WHERE run_id = ? AND number = ?",
      [.integer(batch.runID), .integer(Int64(batch.number))])
    try database.run(
      """
      UPDATE runs SET prompt_tokens = prompt_tokens + ?,
        completion_tokens = completion_tokens + ?, cached_tokens = cached_tokens + ?,
        cost_usd = cost_usd + ?, estimated_batches = estimated_batches + ?
      WHERE id = ?
      """,
      [
        .integer(Int64(batch.usage.promptTokens)), .integer(Int64(batch.usage.completionTokens)),
        .integer(Int64(batch.usage.cachedPromptTokens)), .real(batch.costUSD),
        .integer(batch.usageEstimated ? 1 : 0), .integer(batch.runID),
      ])
    return batchID
  }

  /// Adds to the run's counts of papers sent and papers scored.
  ///
  /// Call it inside the transaction that stores the batch, so that an
  /// interrupted run keeps the counts of what it paid for.
  ///
  /// - Parameters:
  ///   - runID: The run that sent the batch.
  ///   - sent: The batch's papers that no earlier request of the run
  ///     carried, 0 for a retry of papers that an earlier response missed.
  ///   - scored: The papers that the response gave a usable score.
  /// - Throws: ``PaperSiftError`` with code `database` when the update fails.
  public func countPapers(runID: Int64, sent: Int, scored: Int) throws {
    try database.run(
      """
      UPDATE runs SET sent = COALESCE(sent, 0) + ?, scored = COALESCE(scored, 0) + ?
      WHERE id = ?
      """,
      [.integer(Int64(sent)), .integer(Int64(scored)), .integer(runID)])
  }

  /// Returns the run with `id`, or nil when there is none.
  public func run(_ id: Int64) throws -> RunRecord? {
    let rows = try database.rows(
      """
      SELECT id, date, status, started, finished, llm_model, prompt_tokens, completion_tokens,
        cached_tokens, cost_usd, papers, above_cutoff, audited, sent, scored, estimated_batches
      FROM runs WHERE id = ?
      """, [.integer(id)])
    guard let row = rows.first else { return nil }
    return RunRecord(
      id: Int64(row.int(0) ?? 0), date: row.string(1) ?? "",
      status: RunStatus(rawValue: row.string(2) ?? "") ?? .failed, started: row.string(3) ?? "",
      finished: row.string(4), model: row.string(5),
      usage: TokenUsage(
        promptTokens: row.int(6) ?? 0, completionTokens: row.int(7) ?? 0,
        cachedPromptTokens: row.int(8) ?? 0),
      costUSD: row.double(9) ?? 0, papers: row.int(10) ?? 0, aboveCutoff: row.int(11) ?? 0,
      audited: row.int(12) ?? 0, sent: row.int(13), scored: row.int(14),
      estimatedBatches: row.int(15) ?? 0)
  }

  /// Returns the batches of a run in the order they were sent.
  public func batches(runID: Int64) throws -> [BatchRecord] {
    let rows = try database.rows(
      """
      SELECT run_id, number, papers, model, prompt_hash, estimated_prompt_tokens,
        estimated_cost_usd, prompt_tokens, completion_tokens, cached_tokens, cost_usd, status, error,
        usage_estimated
      FROM batches WHERE run_id = ? ORDER BY id
      """, [.integer(runID)])
    return rows.map { row in
      BatchRecord(
        runID: Int64(row.int(0) ?? 0), number: row.int(1) ?? 0, papers: row.int(2) ?? 0,
        model: row.string(3) ?? "", promptHash: row.string(4) ?? "",
        estimatedPromptTokens: row.int(5) ?? 0, estimatedCostUSD: row.double(6) ?? 0,
        usage: TokenUsage(
          promptTokens: row.int(7) ?? 0, completionTokens: row.int(8) ?? 0,
          cachedPromptTokens: row.int(9) ?? 0),
        costUSD: row.double(10) ?? 0,
        status: BatchStatus(rawValue: row.string(11) ?? "") ?? .failed, error: row.string(12),
        usageEstimated: row.int(13) == 1)
    }
  }

  /// Formats `date` as ISO 8601 in UTC, the form of every timestamp column.
  static func timestamp(_ date: Date = Date()) -> String {
    date.ISO8601Format()
  }
}
