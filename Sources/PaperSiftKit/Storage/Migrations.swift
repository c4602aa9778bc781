import Foundation

/// The ordered schema changes, applied by `PRAGMA user_version`.
///
/// Each migration runs in its own transaction and moves the version by one.
/// Append new migrations at the end; never edit one that has shipped.
enum Migrations {
  static let all: [String] = [
    version1, version2, version3, version4, version5, version6, version7,
  ]

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

  /// Paper counts of a run named for what they count, and a batch status for
  /// responses that gave no usable score.
  ///
  /// `runs.sent` held the papers above the cut-off, whatever was sent, so it
  /// becomes `above_cutoff`. The new `sent` and `scored` are added to as each
  /// batch is stored, so an interrupted run keeps what it paid for. Runs
  /// recorded before this version keep `sent` NULL, because their batches do
  /// not tell a retried paper from a new one. Their `scored` is counted from
  /// the scores that their batches stored.
  ///
  /// SQLite cannot change a CHECK constraint, so `batches` is rebuilt. Dropping
  /// the old table sets `scores.batch_id` to NULL through its foreign key, so
  /// the links are kept in a temporary table and written back. An `ok` batch
  /// that stored no score becomes `unusable`.
  static let version3 = """
    -- above_cutoff: the papers above the cut-off (liked papers and followed
    --   authors included), chosen for the LLM whether sent or not.
    -- audited: the papers drawn from below the cut-off for the audit sample,
    --   sent or not.
    -- sent: the papers of this run in requests that returned a chat
    --   completion, audit sample included, each counted once however often it
    --   was sent. Papers of failed requests are not counted. NULL for runs
    --   recorded before schema version 3.
    -- scored: the papers that this run's responses gave a usable score.
    --   Scores stored by an earlier run of the night are not counted.
    ALTER TABLE runs RENAME COLUMN sent TO above_cutoff;
    ALTER TABLE runs ADD COLUMN sent INTEGER;
    ALTER TABLE runs ADD COLUMN scored INTEGER;
    UPDATE runs SET scored = (
      SELECT COUNT(*) FROM scores s JOIN batches b ON s.batch_id = b.id WHERE b.run_id = runs.id);

    -- status: 'ok' when the response gave at least one usable score,
    -- 'unusable' when it came back (and was paid for) but gave none, and
    -- 'failed' when the request failed.
    CREATE TABLE batches_v3 (
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
      status TEXT NOT NULL CHECK (status IN ('ok', 'unusable', 'failed')),
      error TEXT,
      created TEXT NOT NULL
    );
    -- The ids go on from the old table's AUTOINCREMENT counter, which can be
    -- above the largest id left when the last batches were deleted.
    INSERT INTO sqlite_sequence (name, seq)
      SELECT 'batches_v3', seq FROM sqlite_sequence WHERE name = 'batches';
    INSERT INTO batches_v3 (id, run_id, number, papers, model, prompt_hash,
      estimated_prompt_tokens, estimated_cost_usd, prompt_tokens, completion_tokens,
      cached_tokens, cost_usd, status, error, created)
    SELECT id, run_id, number, papers, model, prompt_hash, estimated_prompt_tokens,
      estimated_cost_usd, prompt_tokens, completion_tokens, cached_tokens, cost_usd, status,
      error, created
    FROM batches;
    CREATE TEMP TABLE score_batches AS
      SELECT rowid AS score_row, batch_id FROM scores WHERE batch_id IS NOT NULL;
    DROP TABLE batches;
    ALTER TABLE batches_v3 RENAME TO batches;
    UPDATE scores SET batch_id = (
      SELECT batch_id FROM temp.score_batches WHERE score_row = scores.rowid)
    WHERE rowid IN (SELECT score_row FROM temp.score_batches);
    DROP TABLE temp.score_batches;
    CREATE INDEX batches_by_run ON batches(run_id);
    UPDATE batches SET status = 'unusable'
    WHERE status = 'ok' AND papers > 0
      AND NOT EXISTS (SELECT 1 FROM scores WHERE scores.batch_id = batches.id);
    """

  /// A mark on the batches whose response reported no token usage, so that
  /// their tokens and cost are the estimate of what was sent, and the count
  /// of such batches on their run.
  ///
  /// Batches recorded before this version are left at 0: such a response
  /// was then counted as 0 tokens, and the columns cannot tell it from a
  /// free one.
  static let version4 = """
    -- usage_estimated: 1 when the response had no usage, so prompt_tokens,
    --   completion_tokens and cost_usd are the estimate that the budget check
    --   uses; cached_tokens is then 0.
    -- estimated_batches: the run's batches with usage_estimated = 1, whose
    --   estimates are part of the run's token and cost totals.
    ALTER TABLE batches ADD COLUMN usage_estimated INTEGER NOT NULL DEFAULT 0
      CHECK (usage_estimated IN (0, 1));
    ALTER TABLE runs ADD COLUMN estimated_batches INTEGER NOT NULL DEFAULT 0;
    """

  /// The requests sent and still waiting for a response, so that a request whose run
  /// was killed while it waited is still counted: the provider may have
  /// billed it.
  static let version5 = """
    -- One row per chat-completions request in flight. The transaction that
    -- records the request's batch deletes it. A row whose run is no longer
    -- running becomes a failed batch at its estimated tokens and cost.
    CREATE TABLE requests_in_flight (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      number INTEGER NOT NULL,
      papers INTEGER NOT NULL,
      model TEXT NOT NULL,
      prompt_hash TEXT NOT NULL,
      estimated_prompt_tokens INTEGER NOT NULL,
      estimated_completion_tokens INTEGER NOT NULL,
      estimated_cost_usd REAL NOT NULL,
      started TEXT NOT NULL,
      PRIMARY KEY (run_id, number)
    );
    """

  /// The command that recorded each run, so that papers scored by `score`
  /// do not make their night count as one that a nightly run ranked.
  static let version6 = """
    -- command: 'run' for the nightly job, which ranks the night and chooses
    --   the papers for the LLM, or 'score' for a run that scores the papers
    --   of a file. Rows recorded before this version are 'run', except the
    --   finished ones (ok or partial) without a digest, which only 'score'
    --   records.
    ALTER TABLE runs ADD COLUMN command TEXT NOT NULL DEFAULT 'run'
      CHECK (command IN ('run', 'score'));
    UPDATE runs SET command = 'score'
    WHERE status IN ('ok', 'partial') AND digest_path IS NULL;
    """

  /// Feedback stored before this version keeps an old-style id as typed,
  /// such as `math.GT/0309136`, which never matches the paper that arXiv
  /// lists as `math/0309136`. The id drops the subject class, as
  /// ``ArxivIdentifier`` now does. Where both forms were stored, the
  /// rewritten row replaces the other.
  static let version7 = """
    UPDATE OR REPLACE feedback
    SET paper_id = substr(paper_id, 1, instr(paper_id, '.') - 1)
      || substr(paper_id, instr(paper_id, '/'))
    WHERE paper_id GLOB '*[a-z].[A-Z][A-Z]/[0-9]*';
    """
}
