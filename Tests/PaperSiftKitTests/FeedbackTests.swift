import Foundation
import Testing

@testable import PaperSiftKit

/// A temporary folder with a migrated database, removed by `close()`.
struct TemporaryDatabase {
  let folder: URL
  let database: Database

  init() throws {
    folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-feedback-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    database = try Database(path: folder.appendingPathComponent("test.sqlite").path)
  }

  func close() {
    try? FileManager.default.removeItem(at: folder)
  }

  /// Inserts a paper and its announcement as the ingestion stage would.
  func insert(_ paper: Paper, date: String = "2025-05-05") throws {
    let authors = String(decoding: try JSONEncoder().encode(paper.authors), as: UTF8.self)
    let categories = String(decoding: try JSONEncoder().encode(paper.categories), as: UTF8.self)
    try database.run(
      """
      INSERT INTO papers (id, version, title, abstract, authors, categories, announce_type,
        announced, first_seen, updated) VALUES (?, 1, ?, ?, ?, ?, 'new', ?, ?, ?)
      """,
      [
        .text(paper.id), .text(paper.title), .text(paper.abstract), .text(authors),
        .text(categories), .text(date), .text(date), .text(date),
      ])
    try database.run(
      "INSERT INTO announcements (paper_id, date, announce_type, version) VALUES (?, ?, 'new', 1)",
      [.text(paper.id), .text(date)])
  }
}

struct FailingLookup: PaperLookup {
  func lookUp(ids: [String]) throws -> [Paper] {
    throw PaperSiftError(.network, "Unable to reach the arXiv API: timed out.")
  }
}

struct FixedLookup: PaperLookup {
  let papers: [Paper]

  func lookUp(ids: [String]) throws -> [Paper] {
    papers.filter { ids.contains($0.id) }
  }
}

final class RecordingImporter: PaperImporting {
  let storage: TemporaryDatabase
  var imported: [String] = []

  init(storage: TemporaryDatabase) { self.storage = storage }

  func importPapers(_ papers: [Paper]) throws {
    for paper in papers {
      try storage.insert(paper)
      imported.append(paper.id)
    }
  }
}

@Suite struct FeedbackTests {
  static let paper = Paper(
    id: "2501.19281", title: "A paper", abstract: "Text.", authors: ["A"], categories: ["cs.LG"])

  @Test(arguments: [
    ("2501.19281", "2501.19281"),
    ("2501.19281v2", "2501.19281"),
    ("arXiv:2501.19281", "2501.19281"),
    ("https://arxiv.org/abs/2501.19281v3", "2501.19281"),
    ("https://arxiv.org/pdf/2501.19281v1", "2501.19281"),
    ("https://arxiv.org/pdf/2501.19281v1.pdf", "2501.19281"),
    ("hep-th/9901001", "hep-th/9901001"),
    ("math.GT/0309136", "math.GT/0309136"),
  ])
  func validIdStoredVersionless(input: String, stored: String) throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let store = FeedbackStore(database: storage.database)
    _ = try store.record([ArxivIdentifier(parsing: input)], label: .liked, source: "command")
    #expect(try store.entries().map(\.paperId) == [stored])
  }

  @Test(arguments: ["2501.192", "abc", "https://example.org/abs/2501.19281", "hep-th/99", ""])
  func invalidIdRejected(input: String) {
    #expect(throws: PaperSiftError.self) { try ArxivIdentifier(parsing: input) }
  }

  @Test func likeDislikeUnlikeRoundTrip() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let store = FeedbackStore(database: storage.database)
    let id = try ArxivIdentifier(parsing: "2501.19281v2")
    let first = Date(timeIntervalSince1970: 1_750_000_000)

    #expect(try store.record([id], label: .liked, source: "command", at: first) == [.added])
    #expect(
      try store.record([id], label: .liked, source: "command", at: first + 60) == [.unchanged])
    #expect(try store.entries().first?.created == "2025-06-15T15:06:40Z")
    #expect(
      try store.record([id], label: .disliked, source: "command", at: first + 120) == [.changed])
    #expect(try store.entries().first?.label == .disliked)
    #expect(try store.remove([id]) == 1)
    #expect(try store.remove([id]) == 0)
    #expect(try store.entries().isEmpty)
  }

  @Test func pendingLikeResolvedAfterImport() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let importer = RecordingImporter(storage: storage)
    let outcome = try FeedbackInput.resolveUnknown(
      [Self.paper.id], database: storage.database, lookup: FailingLookup(), importer: importer)
    #expect(outcome.pending == [Self.paper.id])
    #expect(outcome.failure?.contains("timed out") == true)

    let store = FeedbackStore(database: storage.database)
    _ = try store.record(
      [ArxivIdentifier(parsing: Self.paper.id)], label: .liked, source: "command")
    #expect(try store.pendingIds() == [Self.paper.id])

    try storage.insert(Self.paper)
    #expect(try store.pendingIds().isEmpty)
    #expect(try store.entries().first?.title == "A paper")
  }

  @Test func lookupImportsUnknownPaper() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let importer = RecordingImporter(storage: storage)
    let outcome = try FeedbackInput.resolveUnknown(
      [Self.paper.id, "2502.00001"], database: storage.database,
      lookup: FixedLookup(papers: [Self.paper]), importer: importer)
    #expect(outcome.imported == [Self.paper.id])
    #expect(outcome.notFound == ["2502.00001"])
    #expect(importer.imported == [Self.paper.id])
  }

  @Test func idListFile() throws {
    let text = "# my history\n2501.19281v2\n\nhttps://arxiv.org/abs/hep-th/9901001\n"
    #expect(try FeedbackInput.identifiers(in: text).map(\.id) == ["2501.19281", "hep-th/9901001"])
  }

  @Test func idListWithWindowsLineEndings() throws {
    let text = "# my history\r\n2505.01136\r\n\r\n2505.01197\r\n"
    #expect(try FeedbackInput.identifiers(in: text).map(\.id) == ["2505.01136", "2505.01197"])
  }

  @Test func idListRejectsBadLine() {
    #expect(throws: PaperSiftError.self) {
      try FeedbackInput.identifiers(in: "2501.19281\nnot-an-id\n")
    }
  }

  @Test func bibTeXFields() throws {
    let text = """
      @article{a, title={One}, eprint={2501.19281}, archivePrefix={arXiv}}
      @misc{b, title={Two}, howpublished={\\url{https://arxiv.org/abs/2410.00001v2}}}
      @inproceedings{c, title={Three}, note = "arXiv:2302.12345"}
      @book{d, title={No arXiv id}, publisher={P}}
      @misc{e, url={https://arxiv.org/pdf/math.GT/0309136v1.pdf}}
      """
    let ids = try FeedbackInput.identifiers(in: text).map(\.id)
    #expect(ids == ["2501.19281", "2410.00001", "2302.12345", "math.GT/0309136"])
  }
}
