import Foundation
import Testing

@testable import PaperSiftKit

/// Schema version 3 on a database that PaperSift left at version 2. The
/// run counts get their own columns, and `batches` takes the `unusable` status.
@Suite struct RunCountsMigrationTests {
  /// Creates a version-2 database with one run of 176 papers, 44 of them
  /// above the cut-off and 6 audited, and four batches. Batch 1 stored two
  /// scores, 2 got a response without a usable score, 3 failed, and 4 was
  /// deleted, so the next batch id is 5. One more score has no batch.
  static func versionTwoDatabase(in storage: TemporaryDatabase) throws -> String {
    let path = storage.folder.appendingPathComponent("schema2.sqlite").path
    let old = try Database(path: path, busyTimeoutMilliseconds: 1_000, schemaVersion: 2)
    try old.run(
      """
      INSERT INTO runs (date, started, status, papers, sent, audited, prompt_tokens, cost_usd)
      VALUES ('2025-05-05', '2025-05-05T01:30:00Z', 'partial', 176, 44, 6, 3000, 0.0021)
      """)
    for (id, papers, status, tokens) in [
      (1, 5, "ok", 1_000), (2, 3, "ok", 800), (3, 5, "failed", 0), (4, 1, "ok", 200),
    ] {
      try old.run(
        """
        INSERT INTO batches (id, run_id, number, papers, model, prompt_hash, prompt_tokens,
          status, created)
        VALUES (?, 1, ?, ?, 'gpt-4o-mini', 'h', ?, ?, '2025-05-05T01:31:00Z')
        """,
        [
          .integer(Int64(id)), .integer(Int64(id)), .integer(Int64(papers)),
          .integer(Int64(tokens)), .text(status),
        ])
    }
    try old.run("DELETE FROM batches WHERE id = 4")
    let links: [(String, SQLValue)] = [
      ("2505.00001", .integer(1)), ("2505.00002", .integer(1)), ("2505.00003", .null),
    ]
    for (paper, batch) in links {
      try old.run(
        """
        INSERT INTO scores (paper_id, model, prompt_hash, relevance, novelty, comment, batch_id,
          created)
        VALUES (?, 'gpt-4o-mini', 'h', 7, 6, 'fine', ?, '2025-05-05T01:31:00Z')
        """, [.text(paper), batch])
    }
    #expect(try old.scalar("PRAGMA user_version") == .integer(2))
    return path
  }

  @Test func runCountsMoveToNamedColumns() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let path = try Self.versionTwoDatabase(in: storage)

    let upgraded = try Database(path: path)

    #expect(try upgraded.scalar("PRAGMA user_version") == .integer(Int64(Migrations.all.count)))
    let run = try #require(try RunStore(database: upgraded).run(1))
    #expect(run.papers == 176)
    #expect(run.aboveCutoff == 44)
    #expect(run.audited == 6)
    // The old batches cannot tell a retried paper from a new one.
    #expect(run.sent == nil)
    #expect(run.scored == 2)
    #expect(run.status == .partial)
    #expect(run.usage.promptTokens == 3000)
  }

  @Test func batchesKeepRowsAndScoreLinks() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let path = try Self.versionTwoDatabase(in: storage)

    let upgraded = try Database(path: path)

    let batches = try RunStore(database: upgraded).batches(runID: 1)
    #expect(batches.map(\.number) == [1, 2, 3])
    #expect(batches.map(\.status) == [.ok, .unusable, .failed])
    #expect(batches.map(\.usage.promptTokens) == [1_000, 800, 0])
    let links = try upgraded.rows("SELECT paper_id, batch_id FROM scores ORDER BY paper_id")
    #expect(links.map { $0.string(0) } == ["2505.00001", "2505.00002", "2505.00003"])
    #expect(links.map { $0.int(1) } == [1, 1, nil])
    #expect(try upgraded.rows("PRAGMA foreign_key_check").isEmpty)
    #expect(try upgraded.scalar("PRAGMA integrity_check") == .text("ok"))
    #expect(
      try upgraded.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'batches_by_run'")
        == .integer(1))
  }

  @Test func upgradedBatchesTakeNewRows() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let path = try Self.versionTwoDatabase(in: storage)
    let upgraded = try Database(path: path)
    let store = RunStore(database: upgraded)

    let id = try store.recordBatch(
      BatchRecord(
        runID: 1, number: 4, papers: 2, model: "gpt-4o-mini", promptHash: "h",
        estimatedPromptTokens: 500, estimatedCostUSD: 0.0001,
        usage: TokenUsage(promptTokens: 400, completionTokens: 50), costUSD: 0.00009,
        status: .unusable))
    try store.countPapers(runID: 1, sent: 2, scored: 0)

    // AUTOINCREMENT goes on after the deleted batch 4.
    #expect(id == 5)
    #expect(try store.batches(runID: 1).last?.status == .unusable)
    #expect(try store.run(1)?.sent == 2)
    #expect(try store.run(1)?.usage.promptTokens == 3400)
    #expect(throws: PaperSiftError.self) {
      try upgraded.run(
        """
        INSERT INTO batches (run_id, number, papers, model, prompt_hash, status, created)
        VALUES (1, 5, 1, 'm', 'h', 'bogus', '2025-05-05T01:32:00Z')
        """)
    }
  }
}
