import Foundation
import Testing

@testable import PaperSiftKit

/// An encoder that records the texts it embeds and derives each vector from
/// the text's length and first byte, so that tests can see what was embedded.
final class RecordingEncoder: SentenceEncoder, @unchecked Sendable {
  let modelID: String
  let dimension = 3
  private(set) var embeddedTexts: [String] = []

  init(modelID: String = "test/recording") {
    self.modelID = modelID
  }

  func embed(_ texts: [String]) throws -> [[Float]] {
    embeddedTexts += texts
    return texts.map { [Float($0.utf8.count), Float($0.utf8.first ?? 0), 1] }
  }
}

@Suite struct EmbeddingStoreTests {
  static func temporaryDatabase() throws -> (Database, URL) {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return (try Database(path: folder.appendingPathComponent("test.sqlite").path), folder)
  }

  static func paper(_ id: String, abstract: String = "An abstract.") -> Paper {
    Paper(
      id: id, title: "Title \(id)", abstract: abstract, authors: ["A. Author"],
      categories: ["cs.LG"])
  }

  /// Inserts the papers into the `papers` table, which embeddings reference.
  static func insert(_ papers: [Paper], into database: Database) throws {
    for paper in papers {
      try database.run(
        """
        INSERT INTO papers (id, version, title, abstract, authors, categories,
          announce_type, announced, first_seen, updated)
        VALUES (?, 1, ?, ?, '[]', '[]', 'new', NULL, '2025-05-05', '2025-05-05')
        """, [.text(paper.id), .text(paper.title), .text(paper.abstract)])
    }
  }

  @Test func secondCallEmbedsNothing() throws {
    let (database, folder) = try Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    let papers = (1...5).map { Self.paper("2505.0000\($0)") }
    try Self.insert(papers, into: database)
    let store = EmbeddingStore(database: database)
    let encoder = RecordingEncoder()

    let first = try store.embeddings(for: papers, encoder: encoder, batchSize: 2)
    #expect(first.embeddedCount == 5)
    #expect(encoder.embeddedTexts.count == 5)

    let second = try store.embeddings(for: papers, encoder: encoder, batchSize: 2)
    #expect(second.embeddedCount == 0)
    #expect(encoder.embeddedTexts.count == 5)
    #expect(second.vectors == first.vectors)
  }

  @Test func nightEmbeddingAddsLikedPapers() throws {
    let (database, folder) = try Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    let night = [Self.paper("2505.00001"), Self.paper("2505.00002")]
    let liked = Self.paper("2503.00007", abstract: "A liked paper of an earlier night.")
    try Self.insert(night + [liked], into: database)
    _ = try FeedbackStore(database: database).record(
      [try ArxivIdentifier(parsing: liked.id)], label: .liked, source: "test")
    let encoder = RecordingEncoder()

    let first = try NightEmbedding.embed(
      night, encoder: encoder, database: database, batchSize: 8)
    #expect(first == NightEmbedding.Counts(night: 2, feedback: 1))
    #expect(encoder.embeddedTexts.contains(liked.embeddingText))

    let second = try NightEmbedding.embed(
      night, encoder: encoder, database: database, batchSize: 8)
    #expect(second == NightEmbedding.Counts(night: 0, feedback: 0))
  }

  @Test func changedAbstractIsEmbeddedAgain() throws {
    let (database, folder) = try Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    var papers = [Self.paper("2505.00001"), Self.paper("2505.00002")]
    try Self.insert(papers, into: database)
    let store = EmbeddingStore(database: database)
    let encoder = RecordingEncoder()
    _ = try store.embeddings(for: papers, encoder: encoder)

    papers[1].abstract = "A replaced, longer abstract with new results."
    try database.run(
      "UPDATE papers SET abstract = ? WHERE id = ?",
      [.text(papers[1].abstract), .text(papers[1].id)])
    let result = try store.embeddings(for: papers, encoder: encoder)
    #expect(result.embeddedCount == 1)
    #expect(encoder.embeddedTexts.last == papers[1].embeddingText)
    #expect(result.vectors[1][0] == Float(papers[1].embeddingText.utf8.count))

    let stored = try store.entries(paperIDs: ["2505.00002"], modelID: encoder.modelID)
    #expect(stored["2505.00002"]?.textHash == EmbeddingStore.textHash(of: papers[1]))
  }

  @Test func otherModelIsNotReused() throws {
    let (database, folder) = try Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    let papers = [Self.paper("2505.00001")]
    try Self.insert(papers, into: database)
    let store = EmbeddingStore(database: database)
    _ = try store.embeddings(for: papers, encoder: RecordingEncoder(modelID: "model-a"))

    let other = RecordingEncoder(modelID: "model-b")
    let result = try store.embeddings(for: papers, encoder: other)
    #expect(result.embeddedCount == 1)
    #expect(other.embeddedTexts.count == 1)
  }

  @Test func vectorsRoundTripExactly() throws {
    let (database, folder) = try Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    let papers = [Self.paper("2505.00001")]
    try Self.insert(papers, into: database)
    let store = EmbeddingStore(database: database)
    let vector: [Float] = [0.1, -2.5e-8, .pi, -0, 1e30]
    try store.save([vector], for: papers, modelID: "m")

    let entry = try #require(try store.entries(paperIDs: ["2505.00001"], modelID: "m").first)
    #expect(entry.value.vector.map(\.bitPattern) == vector.map(\.bitPattern))
  }

  @Test func deletedPaperDeletesEmbedding() throws {
    let (database, folder) = try Self.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    let papers = [Self.paper("2505.00001")]
    try Self.insert(papers, into: database)
    let store = EmbeddingStore(database: database)
    _ = try store.embeddings(for: papers, encoder: RecordingEncoder())

    try database.run("DELETE FROM papers WHERE id = ?", [.text("2505.00001")])
    #expect(try store.entries(paperIDs: ["2505.00001"], modelID: "test/recording").isEmpty)
  }
}
