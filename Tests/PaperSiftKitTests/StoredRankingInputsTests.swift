import Foundation
import Testing

@testable import PaperSiftKit

/// Tests of the vectors and training labels that the ranking reads from the database.
@Suite struct StoredRankingInputsTests {
  static func paper(_ id: String) -> Paper {
    Paper(
      id: id, title: "Title \(id)", abstract: "Abstract \(id).", authors: ["A. Author"],
      categories: ["cs.LG"])
  }

  /// Records a finished nightly run of `date` that chose papers for the LLM
  /// under model `m` and prompt `h`, the setup of this file's scores.
  @discardableResult
  static func recordRankedRun(date: String, in database: Database) throws -> Int64 {
    let runs = RunStore(database: database)
    let id = try runs.startRun(date: date, model: "m", promptHash: "h")
    try runs.countPapers(runID: id, sent: 2, scored: 2)
    try runs.finishRun(id, status: .ok, summary: RunSummary(papers: 3, aboveCutoff: 2))
    return id
  }

  /// Records a `run` of `date` that ranked the night and chose papers for
  /// the LLM, but sent none, as `--no-llm` does.
  static func recordRunWithoutRequests(date: String, in database: Database) throws {
    let runs = RunStore(database: database)
    let id = try runs.startRun(date: date, model: "m", promptHash: "h")
    try runs.finishRun(id, status: .ok, summary: RunSummary(papers: 4, aboveCutoff: 2))
  }

  @Test func remoteEncoderTakesStoredDimension() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    let papers = [Self.paper("2505.00001"), Self.paper("2505.00002")]
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-05-05", papers: papers)
    ])
    // A second run of a night embeds nothing, so the client never learns
    // its dimension from a reply; no server is needed for that reason.
    let client = OpenAIEmbeddingsClient(
      baseURL: "http://127.0.0.1:9/v1", model: "fake-embed", apiKey: nil)
    try EmbeddingStore(database: database).save(
      [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]], for: papers, modelID: client.modelID)
    #expect(client.dimension == 0)

    let inputs = try StoredRankingInputs(database: database, encoder: client)

    #expect(inputs.dimension == 5)
    #expect(try inputs.embeddings(of: papers.map(\.id)).allSatisfy { $0?.count == 5 })
  }

  @Test func unscoredNightsAreNotNegatives() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    // 2025-05-05 was scored (one pick, one low score, one paper below the
    // cutoff); 2025-05-06 ran without the LLM, and one of its papers is liked.
    let scored = ["2505.00001", "2505.00002", "2505.00003"].map(Self.paper)
    let unscored = ["2505.00011", "2505.00012", "2505.00013"].map(Self.paper)
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-05-05", papers: scored),
      FeedDocument(format: .rss, source: "test", date: "2025-05-06", papers: unscored),
    ])
    let all = scored + unscored
    try EmbeddingStore(database: database).save(
      all.indices.map { [Float($0), 1, 0] }, for: all, modelID: "test/model")
    try ScoreStore(database: database).save(
      [
        PaperScore(paperID: "2505.00001", relevance: 9, novelty: 8, comment: "pick"),
        PaperScore(paperID: "2505.00002", relevance: 3, novelty: 2, comment: "off topic"),
      ], model: "m", promptHash: "h", batchID: nil)
    try Self.recordRankedRun(date: "2025-05-05", in: database)
    // Feedback from a history: two papers found by look-up, in no listing,
    // and one of a later night, which must not teach the models about the past.
    let history = [Self.paper("2301.00005"), Self.paper("2302.00006")]
    try PaperStore(database: database).store(history)
    let later = Self.paper("2505.00021")
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-05-08", papers: [later])
    ])
    try EmbeddingStore(database: database).save(
      [[5, 1, 0], [6, 1, 0], [7, 1, 0]], for: history + [later], modelID: "test/model")
    _ = try FeedbackStore(database: database).record(
      ["2505.00012", "2301.00005", "2505.00021"].map { try ArxivIdentifier(parsing: $0) },
      label: .liked, source: "test")
    _ = try FeedbackStore(database: database).record(
      [try ArxivIdentifier(parsing: "2302.00006")], label: .disliked, source: "test")
    let inputs = StoredRankingInputs(database: database, modelId: "test/model", dimension: 3)

    let set = try inputs.trainingSet(
      before: "2025-05-07", days: 60, minimumRelevance: 8, minimumNovelty: 7)

    let labels = Dictionary(uniqueKeysWithValues: zip(set.papers.map(\.id), set.labels))
    #expect(
      labels == [
        "2505.00001": true, "2505.00002": false, "2505.00003": false, "2505.00012": true,
        "2301.00005": true, "2302.00006": false,
      ])
    #expect(set.embeddings.rows == 6)
  }

  @Test func chosenButUnscoredPapersAreUnlabelled() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    // 2025-05-05: one pick, one paper left unscored by a budget stop, one
    // left unscored by one run and scored by the next, one below the cutoff.
    let night = ["2505.00001", "2505.00002", "2505.00003", "2505.00004"].map(Self.paper)
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-05-05", papers: night)
    ])
    try EmbeddingStore(database: database).save(
      night.indices.map { [Float($0), 1, 0] }, for: night, modelID: "test/model")
    let runs = RunStore(database: database)
    let first = try runs.startRun(date: "2025-05-05", model: "m", promptHash: "h")
    try runs.countPapers(runID: first, sent: 1, scored: 1)
    try runs.finishRun(first, status: .partial, summary: RunSummary(papers: 4, aboveCutoff: 3))
    let scores = ScoreStore(database: database)
    try scores.save(
      [PaperScore(paperID: "2505.00001", relevance: 9, novelty: 8, comment: "pick")],
      model: "m", promptHash: "h", batchID: nil)
    try scores.saveUnscored(
      [
        UnscoredPaper(paperID: "2505.00002", reason: "budget"),
        UnscoredPaper(paperID: "2505.00003", reason: "budget"),
      ], runID: first)
    try scores.save(
      [PaperScore(paperID: "2505.00003", relevance: 4, novelty: 6, comment: "later")],
      model: "m", promptHash: "h", batchID: nil)
    let inputs = StoredRankingInputs(database: database, modelId: "test/model", dimension: 3)

    let set = try inputs.trainingSet(
      before: "2025-05-06", days: 60, minimumRelevance: 8, minimumNovelty: 7)

    let labels = Dictionary(uniqueKeysWithValues: zip(set.papers.map(\.id), set.labels))
    #expect(labels == ["2505.00001": true, "2505.00003": false, "2505.00004": false])
  }

  @Test func modelChangeEmbedsTrainingPapers() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    // 2025-05-05 was scored, 2025-05-06 ran without the LLM, 2025-05-07 is tonight.
    let scored = ["2505.00001", "2505.00002"].map(Self.paper)
    let unscored = ["2505.00011"].map(Self.paper)
    let tonight = ["2505.00021", "2505.00022"].map(Self.paper)
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-05-05", papers: scored),
      FeedDocument(format: .rss, source: "test", date: "2025-05-06", papers: unscored),
      FeedDocument(format: .rss, source: "test", date: "2025-05-07", papers: tonight),
    ])
    try ScoreStore(database: database).save(
      [PaperScore(paperID: "2505.00001", relevance: 9, novelty: 8, comment: "pick")],
      model: "m", promptHash: "h", batchID: nil)
    try Self.recordRankedRun(date: "2025-05-05", in: database)
    let old = RecordingEncoder(modelID: "test/old")
    try NightEmbedding.embed(
      scored + unscored, encoder: old, database: database, batchSize: 8)
    let new = RecordingEncoder(modelID: "test/new")

    let first = try NightEmbedding.embed(
      tonight, encoder: new, database: database, batchSize: 8, trainingBefore: "2025-05-07",
      trainingDays: 60)

    #expect(first == NightEmbedding.Counts(night: 2, feedback: 0, training: 2))
    #expect(new.embeddedTexts.count == 4)
    #expect(!new.embeddedTexts.contains(unscored[0].embeddingText))
    let inputs = try StoredRankingInputs(database: database, encoder: new)
    let set = try inputs.trainingSet(
      before: "2025-05-07", days: 60, minimumRelevance: 8, minimumNovelty: 7)
    #expect(set.papers.map(\.id) == ["2505.00001", "2505.00002"])
    #expect(set.labels == [true, false])

    let second = try NightEmbedding.embed(
      tonight, encoder: new, database: database, batchSize: 8, trainingBefore: "2025-05-07",
      trainingDays: 60)
    #expect(second == NightEmbedding.Counts(night: 0, feedback: 0, training: 0))
  }

  /// Stores night 2025-04-30 of four papers with vectors.
  static func storeFourPaperNight(in database: Database) throws {
    let night = ["2504.00001", "2504.00002", "2504.00003", "2504.00004"].map(Self.paper)
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-04-30", papers: night)
    ])
    try EmbeddingStore(database: database).save(
      night.indices.map { [Float($0), 1, 0] }, for: night, modelID: "test/model")
  }

  /// Records a `score` run of `date` that stored the scores of a pick,
  /// 2504.00001, and of a paper off topic, 2504.00002, under `m` and `h`.
  static func recordScoreCommand(date: String, in database: Database) throws {
    let runs = RunStore(database: database)
    let id = try runs.startRun(date: date, model: "m", promptHash: "h", command: .score)
    let batch = try runs.recordBatch(
      BatchRecord(
        runID: id, number: 1, papers: 2, model: "m", promptHash: "h", estimatedPromptTokens: 900,
        estimatedCostUSD: 0.0002, usage: TokenUsage(promptTokens: 900, completionTokens: 80),
        costUSD: 0.0002, status: .ok))
    try ScoreStore(database: database).save(
      [
        PaperScore(paperID: "2504.00001", relevance: 9, novelty: 8, comment: "pick"),
        PaperScore(paperID: "2504.00002", relevance: 3, novelty: 2, comment: "off topic"),
      ], model: "m", promptHash: "h", batchID: batch)
    try runs.finishRun(id, status: .ok, summary: RunSummary(papers: 2, aboveCutoff: 2))
  }

  /// Returns the label of each training paper before `date`, by paper id,
  /// under the rule of relevance 8 and novelty 7.
  static func trainingLabels(before date: String, in database: Database) throws
    -> [String: Bool]
  {
    let inputs = StoredRankingInputs(database: database, modelId: "test/model", dimension: 3)
    let set = try inputs.trainingSet(
      before: date, days: 60, minimumRelevance: 8, minimumNovelty: 7)
    return Dictionary(uniqueKeysWithValues: zip(set.papers.map(\.id), set.labels))
  }

  @Test(arguments: ["2025-04-30", "2025-05-06"])
  func scoreCommandLabelsOnlyItsPapers(storedUnder date: String) throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeFourPaperNight(in: database)
    // A --no-llm run ranks the night before `score` stores any score.
    try Self.recordRunWithoutRequests(date: "2025-04-30", in: database)
    try Self.recordScoreCommand(date: date, in: database)

    let labels = try Self.trainingLabels(before: "2025-05-07", in: database)

    // The two papers that `score` did not score stay unlabelled.
    #expect(labels == ["2504.00001": true, "2504.00002": false])
  }

  @Test func runReusingScoreCommandScores() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeFourPaperNight(in: database)
    // `score` stores the scores first, and the nightly run reuses them
    // without a request of its own, so the other papers stay unlabelled.
    try Self.recordScoreCommand(date: "2025-04-30", in: database)
    try Self.recordRunWithoutRequests(date: "2025-04-30", in: database)

    let labels = try Self.trainingLabels(before: "2025-05-07", in: database)

    #expect(labels == ["2504.00001": true, "2504.00002": false])
  }

  @Test func scoringRunLabelsItsNight() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeFourPaperNight(in: database)
    try Self.recordScoreCommand(date: "2025-04-30", in: database)
    // A nightly run that got scores from its own requests.
    try Self.recordRankedRun(date: "2025-04-30", in: database)

    let labels = try Self.trainingLabels(before: "2025-05-07", in: database)

    #expect(
      labels == [
        "2504.00001": true, "2504.00002": false, "2504.00003": false, "2504.00004": false,
      ])
  }

  @Test func otherPromptRunLeavesNightUnlabelled() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeFourPaperNight(in: database)
    try Self.recordScoreCommand(date: "2025-04-30", in: database)
    // A --no-llm run under an edited topics file reuses none of those scores.
    let runs = RunStore(database: database)
    let id = try runs.startRun(date: "2025-04-30", model: "m", promptHash: "edited")
    try runs.finishRun(id, status: .ok, summary: RunSummary(papers: 4, aboveCutoff: 2))

    let labels = try Self.trainingLabels(before: "2025-05-07", in: database)

    #expect(labels == ["2504.00001": true, "2504.00002": false])
  }
}
