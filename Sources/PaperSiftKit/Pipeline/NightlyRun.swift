import Foundation

/// The nightly job: ingest, embed, rank, score the slice and an audit
/// sample with the LLM, write the digest and record the run.
///
/// Every stage stores its results as it goes: papers in one transaction per
/// import, embeddings per batch, LLM scores per batch as each response
/// arrives. So a run that is killed or fails loses nothing already paid for,
/// and running the same night again sends nothing already scored and writes
/// the same digest.
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
    try home.create()
    let lock = try RunLock(url: home.runLockURL, timeout: options.lockWaitSeconds)
    defer { withExtendedLifetime(lock) {} }
    let database = try Database(path: home.databaseURL.path)

    let date = try ingest(options, settings: settings, database: database)
    let papers = try PaperStore(database: database).papers(announcedOn: date)
    guard !papers.isEmpty else {
      logger.notice("No new papers", [("date", date)])
      return NightlyRunOutcome(status: .emptyNight, date: date)
    }

    let topicsText = try readTopics(options, settings: settings)
    let encoder = try EncoderFactory.make(settings.embedding, home: home, environment: environment)
    try embed(papers, encoder: encoder, database: database)
    let ranking = try NightRanker.rank(
      date: date,
      inputs: StoredRankingInputs(
        database: database, modelId: encoder.modelID, dimension: encoder.dimension),
      settings: settings.ranking, topics: TopicsFile.parse(topicsText),
      embedder: TopicEmbedding(encoder: encoder))

    let slice = NightSlice(
      ranking: ranking, cutoff: options.cutoff, settings: settings, date: date)
    logger.info(
      "Ranked the night",
      [
        ("date", date), ("papers", "\(papers.count)"), ("sent", "\(slice.sentIDs.count)"),
        ("audited", "\(slice.auditIDs.count)"), ("learned_model", "\(ranking.usedModels)"),
      ])

    let scoring = try score(
      slice, options: options, settings: settings, topics: topicsText, database: database)
    return try finish(
      slice, scoring: scoring, options: options, settings: settings, database: database)
  }

  /// The configuration with the command line's overrides applied and checked.
  func resolvedSettings(_ options: NightlyRunOptions) throws -> Configuration {
    var settings = configuration
    if let model = options.llmModel { settings.llm.model = model }
    if let baseURL = options.llmBaseURL { settings.llm.baseURL = baseURL }
    try settings.run.validate()
    try settings.fetch.validate()
    if case .fraction(let share) = options.cutoff, !(share > 0 && share <= 1) {
      throw PaperSiftError(
        .invalidInput, "Invalid --fraction \(share): expected a share above 0 and at most 1.")
    }
    if case .count(let count) = options.cutoff, count < 0 {
      throw PaperSiftError(.invalidInput, "Invalid --top \(count): expected 0 or more papers.")
    }
    return settings
  }

  /// Imports `--input` files, or fetches today's feed, and returns the night's date.
  func ingest(_ options: NightlyRunOptions, settings: Configuration, database: Database) throws
    -> String
  {
    let store = PaperStore(database: database)
    if !options.inputs.isEmpty {
      ProgressLine.update("importing \(options.inputs.count) file(s)")
      let documents = try options.inputs.map { try FeedReader.read(contentsOf: $0) }
      let date = try options.date ?? documents.compactMap(\.date).max() ?? missingDate(options)
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
      return date
    }

    ProgressLine.update("fetching today's feed")
    let client = ArxivFeedClient(settings: settings.fetch)
    let (document, summary) = try client.fetchToday(into: store)
    logger.info(
      "Fetched the feed",
      [("papers", "\(document.papers.count)"), ("inserted", "\(summary.inserted)")])
    return options.date ?? document.date ?? NightlyRun.today()
  }

  private func missingDate(_ options: NightlyRunOptions) throws -> String {
    throw PaperSiftError(
      .invalidInput,
      "None of the input files (\(options.inputs.map(\.lastPathComponent).joined(separator: ", "))) "
        + "gives an announcement day. Pass --date YYYY-MM-DD.")
  }

  /// Returns today's date in New York, where arXiv's announcement day is set.
  static func today() -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "America/New_York") ?? .gmt
    let parts = calendar.dateComponents([.year, .month, .day], from: Date())
    return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
  }

  func readTopics(_ options: NightlyRunOptions, settings: Configuration) throws -> String {
    let url =
      options.topicsFile
      ?? URL(fileURLWithPath: settings.ranking.topicsFile, relativeTo: home.root)
    do {
      return try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw PaperSiftError(
        .notFound,
        "Unable to read the topics file '\(url.path)': \(error.localizedDescription). "
          + "Pass --topics FILE, or copy Data/topics/topics.md there and edit it to describe "
          + "your interests.")
    }
  }

  /// Embeds the night's papers and the liked or disliked papers that have no vector yet.
  func embed(_ papers: [Paper], encoder: any SentenceEncoder, database: Database) throws {
    let store = EmbeddingStore(database: database)
    let night = try store.embeddings(
      for: papers, encoder: encoder, batchSize: configuration.embedding.batchSize)
    let feedbackIDs = try FeedbackStore(database: database).entries().map(\.paperId)
    let paperStore = PaperStore(database: database)
    let feedbackPapers = try feedbackIDs.compactMap { try paperStore.paper(id: $0) }
    let feedback = try store.embeddings(
      for: feedbackPapers, encoder: encoder, batchSize: configuration.embedding.batchSize)
    ProgressLine.clearIfShown()
    logger.info(
      "Embedded papers",
      [
        ("night", "\(papers.count)"), ("embedded_now", "\(night.embeddedCount)"),
        ("feedback_embedded_now", "\(feedback.embeddedCount)"),
      ])
  }
}
