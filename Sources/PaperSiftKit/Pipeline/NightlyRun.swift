import Foundation

/// The nightly job: ingest, embed, rank, score the slice and an audit
/// sample with the LLM, write the digest and record the run.
///
/// Every stage stores its results as it goes: papers in one transaction per
/// import, embeddings per batch, LLM scores per batch as each response
/// arrives. So a run that is killed or fails loses nothing already paid for,
/// and running the same night again sends nothing already scored under the
/// same model and prompt. With unchanged likes, topics and settings it
/// writes the same digest.
public final class NightlyRun {
  public let home: PaperSiftHome
  public let configuration: Configuration
  let environment: [String: String]
  let logger = Logger(label: "run")

  public init(
    home: PaperSiftHome, configuration: Configuration,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    self.home = home
    self.configuration = configuration
    self.environment = environment
  }

  /// Runs the night that `options` describe.
  ///
  /// - Throws: ``PaperSiftError`` for invalid options, a missing topics file
  ///   or model, a failed fetch, or a database failure. An LLM batch that
  ///   fails does not throw: its papers are listed as unscored.
  public func execute(_ options: NightlyRunOptions) throws -> NightlyRunOutcome {
    let settings = try resolvedSettings(options)
    try Self.checkAnnounced(options.date)
    try home.create()
    let lock = try RunLock(url: home.runLockURL, timeout: options.lockWaitSeconds)
    defer { withExtendedLifetime(lock) {} }
    let interruption =
      options.handlesInterrupts
      ? RunInterruption(
        databasePath: home.databaseURL.path, lock: lock,
        waitSeconds: settings.llm.requestTimeout) : nil
    defer { interruption?.cancel() }
    let database = try Database(path: home.databaseURL.path)
    try RunStore(database: database).markUnfinishedRunsInterrupted()

    let date = try ingest(options, settings: settings, database: database)
    let papers = try PaperStore(database: database).papers(announcedOn: date)
    guard !papers.isEmpty else {
      logger.notice("No new papers", [("date", date)])
      return NightlyRunOutcome(status: .emptyNight, date: date)
    }

    let (topicsText, topics) = try readTopics(options, settings: settings)
    // The digest folder is created and checked before anything is paid
    // for, so a bad or read-only --out fails the run at once.
    try DigestFiles.prepareDirectory(
      options.outputDirectory ?? settings.run.outputDirectory(home: home))
    // The run is recorded before the embedding, so that a signal or a
    // failure from here on leaves a `runs` row marked interrupted or failed.
    let runs = RunStore(database: database)
    let runID = try runs.startRun(
      date: date, model: settings.llm.model,
      promptHash: PromptBuilder(
        topics: topicsText, model: settings.llm.model, jsonMode: settings.llm.jsonMode
      ).promptHash,
      budgetUSD: options.budgetUSD)
    do {
      return try rankAndScore(
        papers, date: date, runID: runID, topics: (topicsText, topics), options: options,
        settings: settings, database: database, requestGate: interruption?.requestGate)
    } catch {
      try? runs.finishRun(runID, status: .failed)
      throw error
    }
  }

  /// Embeds and ranks the night, scores its slice, writes the digest and
  /// finishes the run `runID`. The LLM stage passes `requestGate` around
  /// each request.
  private func rankAndScore(
    _ papers: [Paper], date: String, runID: Int64, topics: (text: String, file: TopicsFile),
    options: NightlyRunOptions, settings: Configuration, database: Database,
    requestGate: RequestGate?
  ) throws -> NightlyRunOutcome {
    let encoder = try EncoderFactory.make(settings.embedding, home: home, environment: environment)
    let trainingPapers = try embed(papers, date: date, encoder: encoder, database: database)
    let ranking = try NightRanker.rank(
      date: date,
      inputs: try StoredRankingInputs(database: database, encoder: encoder),
      settings: settings.ranking, topics: topics.file, embedder: TopicEmbedding(encoder: encoder),
      trainingPapers: trainingPapers)

    let slice = NightSlice(
      ranking: ranking, cutoff: try options.cutoff.policy(settings: settings.ranking),
      recorded: options.cutoff.recorded(settings: settings.ranking), settings: settings,
      date: date)
    try RunStore(database: database).recordChosenPapers(
      runID, papers: slice.ordered.count, aboveCutoff: slice.sentIDs.count,
      audited: slice.auditIDs.count)
    logger.info(
      "Ranked the night",
      [
        ("date", date), ("papers", "\(papers.count)"), ("sent", "\(slice.sentIDs.count)"),
        ("audited", "\(slice.auditIDs.count)"), ("learned_model", "\(ranking.usedModels)"),
      ])

    let scoring = try score(
      slice, runID: runID, options: options, settings: settings, topics: topics.text,
      database: database, requestGate: requestGate)
    return try finish(
      slice, scoring: scoring, options: options, settings: settings, database: database)
  }

  /// Checks that `--date`, when given, is the announcement day that
  /// `document` gives, if it gives one.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` naming both days.
  public static func checkDate(_ date: String?, matchesDayOf document: FeedDocument, file: URL)
    throws
  {
    guard let date, let day = document.date, day != date else { return }
    throw PaperSiftError(
      .invalidInput,
      "--date \(date) does not match the day of '\(file.lastPathComponent)', \(day). "
        + "Pass --date \(day), or leave --date out.")
  }

  /// The configuration with the command line's overrides applied and checked.
  func resolvedSettings(_ options: NightlyRunOptions) throws -> Configuration {
    var settings = configuration
    try settings.llm.apply(model: options.llmModel, baseURL: options.llmBaseURL)
    // Checked even when the LLM stage is skipped, so that a bad value is
    // found on a --no-llm night and not on the first night that scores.
    try settings.validate()
    if case .fraction(let share) = options.cutoff, !(share > 0 && share <= 1) {
      throw PaperSiftError(
        .invalidInput, "Invalid --fraction \(share): expected a share above 0 and at most 1.")
    }
    if case .count(let count) = options.cutoff, count < 1 {
      throw PaperSiftError(
        .invalidInput,
        "Invalid --top \(count): expected 1 or more papers. Pass --no-llm to send none.")
    }
    if options.cutoff == .auto { try NightlyRun.validateAutoCutoff(settings.ranking) }
    if let date = options.date { _ = try DayOption.validated(date) }
    return settings
  }

  /// Checks the cutoff that `--cutoff auto` reads from the `ranking` section.
  static func validateAutoCutoff(_ settings: RankingSettings) throws {
    let value = settings.cutoffValue
    let valid: Bool
    let expected: String
    switch try CutoffPolicy(settings: settings).kind {
    case .fraction:
      valid = value > 0 && value <= 1
      expected = "a share above 0 and at most 1"
    case .count:
      valid = value >= 0 && value <= 1_000_000 && value == value.rounded()
      expected = "a whole number of papers from 0 to 1000000"
    case .score:
      valid = value.isFinite
      expected = "a finite score"
    }
    guard valid else {
      throw PaperSiftError(
        .configuration,
        "Invalid ranking.cutoffValue \(numberText(value)) for the policy "
          + "'\(settings.cutoffPolicy)' in the configuration: use \(expected).")
    }
  }

  /// Imports `--input` files, or fetches today's feed, and returns the night's date.
  func ingest(_ options: NightlyRunOptions, settings: Configuration, database: Database) throws
    -> String
  {
    let store = PaperStore(database: database)
    if !options.inputs.isEmpty {
      ProgressLine.update("importing \(options.inputs.count) file(s)")
      let documents = try options.inputs.map { try FeedReader.read(contentsOf: $0) }
      for (url, document) in zip(options.inputs, documents) {
        try Self.checkDate(options.date, matchesDayOf: document, file: url)
      }
      let days = Set(documents.compactMap(\.date))
      let date = try options.date ?? days.max() ?? missingDate(options)
      if days.count > 1 {
        logger.notice(
          "The input files hold several days; ranking the latest",
          [("days", days.sorted().joined(separator: ",")), ("ranked", date)])
      }
      let dated = documents.map { document -> FeedDocument in
        var document = document
        if document.date == nil { document.date = date }
        return document
      }
      let summaries = try store.importDocuments(dated, keeping: settings.fetch.keptAnnounceTypes)
      logger.info(
        "Imported input files",
        [
          ("files", "\(options.inputs.count)"),
          ("inserted", "\(summaries.map(\.inserted).reduce(0, +))"),
          ("updated", "\(summaries.map(\.updated).reduce(0, +))"),
        ])
      try notePendingFeedback(database: database)
      return date
    }
    // A night that --date names and that is stored is ranked as stored, also
    // offline, and its feed is not fetched again.
    if let date = try storedNight(options.date, database: database) { return date }

    ProgressLine.update("fetching today's feed")
    let client = ArxivFeedClient(settings: settings.fetch)
    let (document, summary) = try client.fetchToday(into: store)
    logger.info(
      "Fetched the feed",
      [("papers", "\(document.papers.count)"), ("inserted", "\(summary.inserted)")])
    if let date = options.date { try Self.checkFeedDay(document.date, requested: date) }
    try resolvePendingFeedback(settings: settings, database: database)
    return options.date ?? document.date ?? NightlyRun.today()
  }

  /// Looks up liked or disliked papers that were not stored when the
  /// feedback was given; a failed look-up leaves them pending for the next run.
  func resolvePendingFeedback(settings: Configuration, database: Database) throws {
    let lookup = try FeedbackInput.resolvePending(settings: settings.fetch, database: database)
    guard !lookup.looked.isEmpty else { return }
    if let failure = lookup.failure {
      logger.warning(
        "Pending feedback stays pending",
        [("papers", "\(lookup.looked.count)"), ("error", failure)])
    } else {
      logger.info(
        "Resolved pending feedback",
        [
          ("imported", "\(lookup.imported.count)"),
          ("still_pending", lookup.stillPending.joined(separator: ",")),
          ("removed", lookup.removed.keys.sorted().joined(separator: ",")),
        ])
    }
  }

  private func missingDate(_ options: NightlyRunOptions) throws -> String {
    throw PaperSiftError(
      .invalidInput,
      "None of the input files (\(options.inputs.map(\.lastPathComponent).joined(separator: ", "))) "
        + "gives an announcement day. Pass --date YYYY-MM-DD.")
  }

  /// Returns today's date in New York, where arXiv's announcement day is set.
  public static func today() -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "America/New_York") ?? .gmt
    let parts = calendar.dateComponents([.year, .month, .day], from: Date())
    return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
  }

  /// Reads the topics file of the run: --topics, else the configured one.
  func readTopics(
    _ options: NightlyRunOptions, settings: Configuration
  ) throws -> (text: String, topics: TopicsFile) {
    let url =
      options.topicsFile
      ?? URL(fileURLWithPath: settings.ranking.topicsFile, relativeTo: home.root)
    return try TopicsFile.read(from: url, ifUnreadable: TopicsFile.unreadableAdvice)
  }

  /// Embeds the night's papers, the liked or disliked papers and the
  /// learned models' training papers that have no vector yet.
  ///
  /// - Returns: The training papers with their vectors, for the ranking.
  func embed(
    _ papers: [Paper], date: String, encoder: any SentenceEncoder, database: Database
  ) throws -> TrainingPapers? {
    let lock = try EmbeddingLock(url: home.embeddingLockURL)
    defer { lock.release() }
    let outcome = try NightEmbedding.embedForRanking(
      papers, encoder: encoder, database: database, batchSize: configuration.embedding.batchSize,
      trainingBefore: date, trainingDays: configuration.ranking.model.trainingDays)
    let counts = outcome.counts
    logger.info(
      "Embedded papers",
      [
        ("night", "\(papers.count)"), ("embedded_now", "\(counts.night)"),
        ("feedback_embedded_now", "\(counts.feedback)"),
        ("training_embedded_now", "\(counts.training)"),
      ])
    return outcome.trainingPapers
  }

}
