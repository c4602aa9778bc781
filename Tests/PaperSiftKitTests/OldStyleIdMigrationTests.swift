import Foundation
import Testing

@testable import PaperSiftKit

/// Schema version 7 on a database that PaperSift left at version 6: feedback
/// on an old-style id typed with its subject class gets the id that arXiv
/// gives the paper, so that it matches the paper once it is stored.
@Suite struct OldStyleIdMigrationTests {
  @Test func subjectClassLeavesFeedbackIds() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let path = storage.folder.appendingPathComponent("schema6.sqlite").path
    let old = try Database(path: path, busyTimeoutMilliseconds: 1_000, schemaVersion: 6)
    for (id, label) in [
      ("math.GT/0309136", 1), ("q-bio.BM/0412001", -1), ("hep-th/9901001", 1),
      ("2505.01049", 1), ("cs.LG/0001001", -1), ("cs/0001001", 1),
    ] {
      try old.run(
        "INSERT INTO feedback (paper_id, label, created, source) VALUES (?, ?, ?, 'cli')",
        [.text(id), .integer(Int64(label)), .text("2025-05-05T08:00:00Z")])
    }
    #expect(try old.scalar("PRAGMA user_version") == .integer(6))

    let upgraded = try Database(path: path)

    #expect(try upgraded.scalar("PRAGMA user_version") == .integer(Int64(Migrations.all.count)))
    let rows = try upgraded.rows("SELECT paper_id, label FROM feedback ORDER BY paper_id")
    let stored = rows.map { "\($0.string(0) ?? "") \($0.int(1) ?? 0)" }
    // The dislike typed as cs.LG/0001001 replaced the like stored as cs/0001001.
    #expect(
      stored == [
        "2505.01049 1", "cs/0001001 -1", "hep-th/9901001 1", "math/0309136 1",
        "q-bio/0412001 -1",
      ])
  }
}
