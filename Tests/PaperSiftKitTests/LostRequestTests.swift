import Foundation
import Testing

@testable import PaperSiftKit

/// Requests whose run ended before their response was stored: they are noted
/// before sending and, once their run is over, counted at their estimate.
@Suite struct LostRequestTests {
  static func waitingBatch(runID: Int64, number: Int) -> BatchRecord {
    BatchRecord(
      runID: runID, number: number, papers: 10, model: "gpt-4o-mini", promptHash: "p1",
      estimatedPromptTokens: 4_000, estimatedCostUSD: 0.00126, usage: .zero, costUSD: 0,
      status: .failed)
  }

  /// Returns a new database with one run whose request `number` waits
  /// for its response.
  static func runWithWaitingRequest(number: Int, completionTokens: Int) throws
    -> (Database, RunStore, Int64)
  {
    let database = try ScoringFixtures.database()
    let runs = RunStore(database: database)
    let runID = try runs.startRun(date: "2025-05-05", model: "gpt-4o-mini")
    try runs.noteRequestSent(
      waitingBatch(runID: runID, number: number), estimatedCompletionTokens: completionTokens)
    return (database, runs, runID)
  }

  @Test func recordingTheBatchRemovesTheNote() throws {
    let database = try ScoringFixtures.database()
    let runs = RunStore(database: database)
    let runID = try runs.startRun(date: "2025-05-05", model: "gpt-4o-mini")
    var batch = Self.waitingBatch(runID: runID, number: 1)

    try runs.noteRequestSent(batch, estimatedCompletionTokens: 1_100)
    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(1))
    batch.status = .ok
    batch.usage = TokenUsage(promptTokens: 3_900, completionTokens: 900)
    _ = try runs.recordBatch(batch)

    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(0))
    #expect(try runs.markUnfinishedRunsInterrupted().isEmpty)
    #expect(try runs.batches(runID: runID).map(\.status) == [.ok])
  }

  @Test func endedRunCountsRequestOnce() throws {
    let (_, runs, runID) = try Self.runWithWaitingRequest(
      number: 2, completionTokens: 1_100)

    let lost = try runs.markUnfinishedRunsInterrupted()
    let again = try runs.markUnfinishedRunsInterrupted()

    #expect(lost.count == 1)
    #expect(again.isEmpty)
    let batches = try runs.batches(runID: runID)
    #expect(batches.count == 1)
    let batch = try #require(batches.first)
    #expect(batch.number == 2)
    #expect(batch.status == .failed)
    #expect(batch.usageEstimated)
    #expect(batch.usage == TokenUsage(promptTokens: 4_000, completionTokens: 1_100))
    #expect(batch.costUSD == 0.00126)
    #expect(batch.error == RunStore.lostRequestError)
    let run = try #require(try runs.run(runID))
    #expect(run.status == .interrupted)
    #expect(run.costUSD == 0.00126)
    #expect(run.usage.promptTokens == 4_000)
    #expect(run.estimatedBatches == 1)
    let night = try runs.batchUsage(date: "2025-05-05")
    #expect(night.map(\.usage.completionTokens) == [1_100])
    #expect(night.map(\.estimatedBatches) == [1])
  }

  @Test func failedRunRequestCountsAtNextRun() throws {
    let (database, runs, failed) = try Self.runWithWaitingRequest(number: 3, completionTokens: 0)
    // A run that failed after sending, for example on a database error, is not
    // running, but its note stays until a run takes the lock.
    try runs.finishRun(failed, status: .failed)
    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(1))

    let lost = try runs.markUnfinishedRunsInterrupted()

    #expect(lost.map(\.runID) == [failed])
    #expect(try runs.run(failed)?.status == .failed)
    #expect(try database.scalar("SELECT COUNT(*) FROM requests_in_flight") == .integer(0))
  }
}
