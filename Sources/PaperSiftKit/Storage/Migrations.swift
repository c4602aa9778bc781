import Foundation

/// The ordered schema changes, applied by `PRAGMA user_version`.
///
/// Each migration runs in its own transaction and moves the version by one.
/// Append new migrations at the end; never edit one that has shipped.
enum Migrations {
  static let all: [String] = [version1, version2]

  /// Applies the migrations that `database` lacks, up to `target` of them.
  ///
  /// - Parameters:
  ///   - database: The open connection to migrate.
  ///   - target: The schema version to reach. Tests pass an older version
  ///     to create a database as an earlier PaperSift left it.
  /// - Throws: ``PaperSiftError`` with code `database` when a migration fails
  ///   or the file has a newer schema than this PaperSift.
  static func apply(to database: Database, upTo target: Int = all.count) throws {
    guard try version(of: database) < target else {
      try checkNotNewer(database)
      return
    }
    // Two processes may open a new file at once: the version is read again
    // inside the write transaction, so each migration runs exactly once.
    for (offset, sql) in all.prefix(target).enumerated() {
      try database.transaction {
        guard try version(of: database) == offset else { return }
        try database.execute(sql)
        try database.execute("PRAGMA user_version = \(offset + 1)")
      }
    }
  }

  private static func version(of database: Database) throws -> Int {
    guard case .integer(let number) = try database.scalar("PRAGMA user_version") else { return 0 }
    return Int(number)
  }

  private static func checkNotNewer(_ database: Database) throws {
    let current = try version(of: database)
    guard current <= all.count else {
      throw PaperSiftError(
        .database,
        "The database '\(database.path)' has schema version \(current), newer than this "
          + "PaperSift's \(all.count). Update PaperSift or use another --home.")
    }
  }

  /// Papers, their announcements, embeddings, feedback, LLM scores and runs.
  static let version1 = """
    CREATE TABLE papers (
      id TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      title TEXT NOT NULL,
      abstract TEXT NOT NULL,
      authors TEXT NOT NULL,
      categories TEXT NOT NULL,
      announce_type TEXT NOT NULL,
      announced TEXT,
      published TEXT,
      first_seen TEXT NOT NULL,
      updated TEXT NOT NULL
    );

    CREATE TABLE announcements (
      paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
      date TEXT NOT NULL,
      announce_type TEXT NOT NULL,
      version INTEGER NOT NULL,
      PRIMARY KEY (paper_id, date)
    );
    CREATE INDEX announcements_by_date ON announcements(date);

    CREATE TABLE embeddings (
      paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
      model_id TEXT NOT NULL,
      text_hash TEXT NOT NULL,
      dimension INTEGER NOT NULL,
      vector BLOB NOT NULL,
      created TEXT NOT NULL,
      PRIMARY KEY (paper_id, model_id)
    );

    CREATE TABLE feedback (
      paper_id TEXT PRIMARY KEY,
      label INTEGER NOT NULL CHECK (label IN (-1, 1)),
      created TEXT NOT NULL,
      source TEXT NOT NULL
    );

    CREATE TABLE runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      date TEXT NOT NULL,
      started TEXT NOT NULL,
      finished TEXT,
      status TEXT NOT NULL,
      papers INTEGER NOT NULL DEFAULT 0,
      sent INTEGER NOT NULL DEFAULT 0,
      audited INTEGER NOT NULL DEFAULT 0,
      prompt_tokens INTEGER NOT NULL DEFAULT 0,
      completion_tokens INTEGER NOT NULL DEFAULT 0,
      cached_tokens INTEGER NOT NULL DEFAULT 0,
      cost_usd REAL NOT NULL DEFAULT 0,
      estimated_recall REAL,
      recall_low REAL,
      recall_high REAL,
      cutoff_policy TEXT,
      cutoff_value REAL,
      llm_model TEXT,
      prompt_hash TEXT,
      budget_usd REAL,
      digest_path TEXT
    );

    -- One row per chat-completions request that was sent or failed, written
    -- in the same transaction as the scores it returned.
    CREATE TABLE batches (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      number INTEGER NOT NULL,
      papers INTEGER NOT NULL,
      model TEXT NOT NULL,
      prompt_hash TEXT NOT NULL,
      estimated_prompt_tokens INTEGER NOT NULL DEFAULT 0,
      estimated_cost_usd REAL NOT NULL DEFAULT 0,
      prompt_tokens INTEGER NOT NULL DEFAULT 0,
      completion_tokens INTEGER NOT NULL DEFAULT 0,
      cached_tokens INTEGER NOT NULL DEFAULT 0,
      cost_usd REAL NOT NULL DEFAULT 0,
      status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
      error TEXT,
      created TEXT NOT NULL
    );
    CREATE INDEX batches_by_run ON batches(run_id);

    -- Scores carry no foreign key to papers: a score that was paid for is
    -- kept even when its paper row is missing or deleted.
    CREATE TABLE scores (
      paper_id TEXT NOT NULL,
      model TEXT NOT NULL,
      prompt_hash TEXT NOT NULL,
      relevance INTEGER NOT NULL CHECK (relevance BETWEEN 1 AND 10),
      novelty INTEGER NOT NULL CHECK (novelty BETWEEN 1 AND 10),
      comment TEXT NOT NULL,
      batch_id INTEGER REFERENCES batches(id) ON DELETE SET NULL,
      created TEXT NOT NULL,
      PRIMARY KEY (paper_id, model, prompt_hash)
    );

    CREATE TABLE unscored (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      paper_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      PRIMARY KEY (run_id, paper_id)
    );
    """

  /// The arXiv look-ups that found no paper for a pending like or dislike:
  /// how many UTC days had one, and the last of those days, `YYYY-MM-DD`.
  /// The API can return no entry under load, so one empty look-up
  /// does not remove the feedback.
  static let version2 = """
    ALTER TABLE feedback ADD COLUMN lookup_miss_days INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feedback ADD COLUMN last_lookup_miss TEXT;
    """
}
