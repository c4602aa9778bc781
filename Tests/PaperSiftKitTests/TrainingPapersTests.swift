import Foundation
import Testing

@testable import PaperSiftKit

/// Tests that a night's embedding step hands the learned models' training
/// papers to the ranking, so that they are read from the database once.
@Suite struct TrainingPapersTests {
  static let date = "2025-05-07"

  /// Stores two nights of three papers that nightly runs scored before ``date`` and two papers
  /// on it, likes one earlier paper, and embeds them all.
  static func storeNights(in database: Database, encoder: any SentenceEncoder) throws -> [Paper] {
    let first = ["2505.00001", "2505.00002", "2505.00003"].map(StoredRankingInputsTests.paper)
    let second = ["2505.00011", "2505.00012", "2505.00013"].map(StoredRankingInputsTests.paper)
    let tonight = ["2505.00021", "2505.00022"].map(StoredRankingInputsTests.paper)
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-05-05", papers: first),
      FeedDocument(format: .rss, source: "test", date: "2025-05-06", papers: second),
      FeedDocument(format: .rss, source: "test", date: date, papers: tonight),
    ])
    try ScoreStore(database: database).save(
      [
        PaperScore(paperID: "2505.00001", relevance: 9, novelty: 8, comment: "pick"),
        PaperScore(paperID: "2505.00011", relevance: 3, novelty: 2, comment: "off topic"),
      ], model: "m", promptHash: "h", batchID: nil)
    for night in ["2025-05-05", "2025-05-06"] {
      try StoredRankingInputsTests.recordRankedRun(date: night, in: database)
    }
    _ = try FeedbackStore(database: database).record(
      [try ArxivIdentifier(parsing: "2505.00002")], label: .liked, source: "test")
    try NightEmbedding.embed(
      tonight, encoder: encoder, database: database, batchSize: 8, trainingBefore: date,
      trainingDays: 60)
    return tonight
  }

  /// A database with the nights of ``storeNights(in:encoder:)``, and
  /// settings under which the learned models train on any number of papers.
  struct Fixture {
    let database: Database
    let folder: URL
    let encoder = RecordingEncoder(modelID: "test/model")
    let tonight: [Paper]
    let inputs: StoredRankingInputs
    var settings = RankingSettings()

    init() throws {
      (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
      tonight = try TrainingPapersTests.storeNights(in: database, encoder: encoder)
      inputs = try StoredRankingInputs(database: database, encoder: encoder)
      settings.minimumLabelledPapers = 0
      settings.minimumPapersPerClass = 1
    }

    func remove() {
      try? FileManager.default.removeItem(at: folder)
    }
  }

  @Test func trainingPapersReadOnce() throws {
    let fixture = try Fixture()
    defer { fixture.remove() }
    let (database, encoder, tonight) = (fixture.database, fixture.encoder, fixture.tonight)
    let (inputs, settings) = (fixture.inputs, fixture.settings)
    var separate: NightRanking?
    var handed: NightRanking?

    // Before: the ranking reads the training papers and vectors itself.
    let before = try SQLRowCounter.count(on: database) {
      try NightEmbedding.embed(
        tonight, encoder: encoder, database: database, batchSize: 8, trainingBefore: Self.date,
        trainingDays: settings.model.trainingDays)
      separate = try NightRanker.rank(
        date: Self.date, inputs: inputs, settings: settings, topics: nil, embedder: nil)
    }
    // After: the embedding step hands them over.
    let after = try SQLRowCounter.count(on: database) {
      let outcome = try NightEmbedding.embedForRanking(
        tonight, encoder: encoder, database: database, batchSize: 8, trainingBefore: Self.date,
        trainingDays: settings.model.trainingDays)
      handed = try NightRanker.rank(
        date: Self.date, inputs: inputs, settings: settings, topics: nil, embedder: nil,
        trainingPapers: outcome.trainingPapers)
    }

    let first = try #require(separate)
    let second = try #require(handed)
    #expect(first.trainingSize == 6)
    #expect(first.usedModels)
    #expect(second.trainingSize == first.trainingSize)
    #expect(second.usedModels == first.usedModels)
    #expect(second.ranked.map(\.paperId) == first.ranked.map(\.paperId))
    #expect(second.ranked.map(\.score) == first.ranked.map(\.score))
    #expect(encoder.embeddedTexts.count == 8, "only the first embedding embeds")
    // The six papers of the two scored nights, once per read of the window.
    let window = "WHERE p.id IN (SELECT paper_id FROM announcements WHERE date >= ? AND date < ?)"
    #expect(before.rows(of: window) == 12)
    #expect(after.rows(of: window) == 6)
    // The ids of the papers of scored nights, once per read of the window.
    #expect(before.rows(of: "SELECT DISTINCT paper_id FROM announcements") == 12)
    #expect(after.rows(of: "SELECT DISTINCT paper_id FROM announcements") == 6)
    // The ranking's vector reads: the two night papers and the liked one,
    // and before, also the six training papers.
    let vectors = "SELECT vector, dimension, model_id FROM embeddings WHERE paper_id = ?"
    #expect(before.rows(of: vectors) == 9)
    #expect(after.rows(of: vectors) == 3)
    // Those 6 + 6 + 6 rows, and one read of the one feedback row.
    #expect(before.total - after.total == 19)
  }

  @Test func otherWindowIsReadAgain() throws {
    var fixture = try Fixture()
    defer { fixture.remove() }
    fixture.settings.model.trainingDays = 1
    // Read for 60 nights, ranked with a window of 1 night.
    let outcome = try NightEmbedding.embedForRanking(
      fixture.tonight, encoder: fixture.encoder, database: fixture.database, batchSize: 8,
      trainingBefore: Self.date, trainingDays: 60)

    let ranking = try NightRanker.rank(
      date: Self.date, inputs: fixture.inputs, settings: fixture.settings, topics: nil,
      embedder: nil, trainingPapers: outcome.trainingPapers)

    #expect(outcome.trainingPapers?.papers.count == 6)
    // 2025-05-06's three papers and the liked paper of 2025-05-05.
    #expect(ranking.trainingSize == 4)
  }
}
