import Foundation
import Testing

@testable import PaperSiftKit

/// Schema version 6 on a database that PaperSift left at version 5: each
/// run records the command that made it, so that papers scored by `score`
/// do not make their night a training night.
@Suite struct RunCommandMigrationTests {
  /// Creates a version-5 database with a finished nightly run and its digest
  /// (run 1), a finished `score` run, which writes no digest (run 2), and an
  /// interrupted nightly run (run 3).
  static func versionFiveDatabase(in storage: TemporaryDatabase) throws -> String {
    let path = storage.folder.appendingPathComponent("schema5.sqlite").path
    let old = try Database(path: path, busyTimeoutMilliseconds: 1_000, schemaVersion: 5)
    for (status, digest) in [
      ("ok", SQLValue.text("/tmp/digest-2025-04-30.md")), ("partial", .null),
      ("interrupted", .null),
    ] {
      try old.run(
        """
        INSERT INTO runs (date, started, status, llm_model, prompt_hash, above_cutoff,
          digest_path)
        VALUES ('2025-04-30', '2025-04-30T01:30:00Z', ?, 'm', 'h', 2, ?)
        """, [.text(status), digest])
    }
    #expect(try old.scalar("PRAGMA user_version") == .integer(5))
    return path
  }

  @Test func oldRunsGetTheirCommand() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let path = try Self.versionFiveDatabase(in: storage)

    let upgraded = try Database(path: path)

    #expect(try upgraded.scalar("PRAGMA user_version") == .integer(Int64(Migrations.all.count)))
    let commands = try upgraded.rows("SELECT command FROM runs ORDER BY id").map { $0.string(0) }
    #expect(commands == ["run", "score", "run"])
    #expect(throws: PaperSiftError.self) {
      try upgraded.run("UPDATE runs SET command = 'rank' WHERE id = 1")
    }
  }

  @Test func newRunsRecordTheirCommand() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let path = try Self.versionFiveDatabase(in: storage)
    let runs = RunStore(database: try Database(path: path))

    let nightly = try runs.startRun(date: "2025-05-05")
    let scored = try runs.startRun(date: "2025-05-05", command: .score)

    let commands = try runs.database.rows(
      "SELECT command FROM runs WHERE id IN (?, ?) ORDER BY id",
      [.integer(nightly), .integer(scored)]
    ).map { $0.string(0) }
    #expect(commands == ["run", "score"])
  }
}
