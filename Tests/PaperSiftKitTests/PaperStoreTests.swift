import Foundation
import Synchronization
import Testing

@testable import PaperSiftKit

@Suite struct PaperStoreTests {
  static let firstTime = Date(timeIntervalSince1970: 1_746_500_000)
  static let laterTime = Date(timeIntervalSince1970: 1_747_000_000)

  /// Opens a database file in `folder`.
  static func openDatabase(in folder: URL) throws -> Database {
    try Database(path: folder.appendingPathComponent("papersift.sqlite").path)
  }

  /// Returns every row of both tables, for comparing the whole state.
  static func snapshot(_ database: Database) throws -> [[SQLValue]] {
    let papers = try database.rows("SELECT * FROM papers ORDER BY id")
    let announcements = try database.rows(
      "SELECT * FROM announcements ORDER BY paper_id, date")
    return (papers + announcements).map(\.values)
  }

  static func paper(
    _ id: String, version: Int = 1, type: AnnounceType = .new, title: String = "Title"
  ) -> Paper {
    Paper(
      id: id, version: version, title: title, abstract: "Abstract of \(id).",
      authors: ["Ana Lopez", "Önder Gürcan"], categories: ["cs.LG", "stat.ML"],
      announceType: type)
  }

  @Test func benchmarkDayIsStored() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try Self.openDatabase(in: folder))
    let document = try FeedReader.read(contentsOf: TestFiles.benchmarkDay)

    let summary = try store.importDay(date: "2025-05-05", papers: document.papers)

    #expect(summary.inserted == 176)
    #expect(summary.updated == 0)
    #expect(summary.unchanged == 0)
    #expect(try store.paperCount() == 176)
    #expect(try store.paperCount(announcedOn: "2025-05-05") == 176)
    #expect(try store.announcementDays() == [AnnouncementDay(date: "2025-05-05", papers: 176)])
    let stored = try store.papers(announcedOn: "2025-05-05")
    #expect(stored.map(\.id) == document.papers.map(\.id).sorted())
    let expected = try #require(document.papers.first { $0.id == "2505.00730" })
    #expect(try store.paper(id: "2505.00730") == expected)
  }

  @Test func reimportChangesNoRow() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let database = try Self.openDatabase(in: folder)
    let rss = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay))
    let first = PaperStore(database: database, now: { Self.firstTime })
    try first.importDocuments([rss])
    let before = try Self.snapshot(database)

    let second = PaperStore(database: database, now: { Self.laterTime })
    let summaries = try second.importDocuments([rss])

    #expect(summaries.first?.unchanged == 176)
    #expect(summaries.first?.inserted == 0)
    #expect(summaries.first?.updated == 0)
    #expect(try Self.snapshot(database) == before)
    let record = try #require(try second.record(id: "2411.09200"))
    #expect(record.firstSeen == "2025-05-06T02:53:20Z")
    #expect(record.updated == "2025-05-06T02:53:20Z")
  }

  @Test func replacementsAreSkippedByDefault() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try Self.openDatabase(in: folder))
    let rss = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay))

    let summary = try store.importDocuments([rss]).first

    #expect(summary?.inserted == 176)
    #expect(summary?.skippedReplacements == 6)
    #expect(summary?.skippedCrossLists == 0)
    #expect(try store.paper(id: "2504.20505") == nil)
    let types = Set(try store.papers(announcedOn: "2025-05-05").map(\.announceType))
    #expect(types == [.new, .cross])
  }

  @Test(arguments: [
    (true, true, 182, 0, 0),
    (true, false, 176, 6, 0),
    (false, false, 89, 6, 87),
    (false, true, 94, 1, 87),
  ])
  func filterKeepsChosenTypes(
    crossLists: Bool, replacements: Bool, stored: Int, skippedReplacements: Int,
    skippedCrossLists: Int
  ) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try Self.openDatabase(in: folder))
    let rss = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.rssDay))
    let keeping = AnnounceType.keptTypes(crossLists: crossLists, replacements: replacements)

    let summary = try store.importDay(date: "2025-05-05", papers: rss.papers, keeping: keeping)

    #expect(summary.inserted == stored)
    #expect(summary.skippedReplacements == skippedReplacements)
    #expect(summary.skippedCrossLists == skippedCrossLists)
    #expect(try store.paperCount() == stored)
  }

  @Test func replacementKeepsFirstSeen() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let database = try Self.openDatabase(in: folder)
    let keeping = AnnounceType.keptTypes(crossLists: true, replacements: true)
    try PaperStore(database: database, now: { Self.firstTime }).importDay(
      date: "2025-05-05", papers: [Self.paper("2505.00001")], keeping: keeping)

    let store = PaperStore(database: database, now: { Self.laterTime })
    let replaced = Self.paper("2505.00001", version: 2, type: .replace, title: "Better title")
    let summary = try store.importDay(date: "2025-05-12", papers: [replaced], keeping: keeping)

    #expect(summary.updated == 1)
    let record = try #require(try store.record(id: "2505.00001"))
    #expect(record.paper.version == 2)
    #expect(record.paper.title == "Better title")
    #expect(record.paper.announceType == .replace)
    #expect(record.paper.announced == "2025-05-12")
    #expect(record.firstSeen == "2025-05-06T02:53:20Z")
    #expect(record.updated == "2025-05-11T21:46:40Z")
    let firstDay = try store.papers(announcedOn: "2025-05-05")
    #expect(firstDay.map(\.id) == ["2505.00001"])
    #expect(firstDay.first?.announceType == .new)
    #expect(firstDay.first?.version == 2)
    let versions = try database.rows(
      "SELECT date, announce_type, version FROM announcements ORDER BY date")
    #expect(versions.map { $0.string(0) } == ["2025-05-05", "2025-05-12"])
    #expect(versions.map { $0.string(1) } == ["new", "replace"])
    #expect(versions.map { $0.int(2) } == [1, 2])
  }

  @Test func olderVersionNeverDowngrades() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try Self.openDatabase(in: folder))
    let keeping = AnnounceType.keptTypes(crossLists: true, replacements: true)
    let newer = Self.paper("2505.00001", version: 3, type: .replace, title: "Third")
    try store.importDay(date: "2025-05-12", papers: [newer], keeping: keeping)

    let older = Self.paper("2505.00001", version: 1, title: "First")
    let summary = try store.importDay(date: "2025-05-05", papers: [older], keeping: keeping)

    #expect(summary.unchanged == 1)
    let paper = try #require(try store.paper(id: "2505.00001"))
    #expect(paper.version == 3)
    #expect(paper.title == "Third")
    #expect(paper.announced == "2025-05-12")
    #expect(try store.announcementDays().map(\.date) == ["2025-05-05", "2025-05-12"])
  }

  /// Back-filling days in any order keeps the text of the latest day's
  /// listing at an equal version, and importing the older day again is then
  /// a no-op.
  @Test func olderDayKeepsNewerDaysCorrection() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try Self.openDatabase(in: folder))
    let original = Self.paper("2506.00101", title: "Sparse retrieval")
    let corrected = Self.paper("2506.00101", title: "Sparse retrieval (corrected)")
    try store.importDay(date: "2025-06-10", papers: [original])
    let correction = try store.importDay(date: "2025-06-11", papers: [corrected])
    let before = try Self.snapshot(store.database)

    let again = try store.importDay(date: "2025-06-10", papers: [original])

    #expect(correction.updated == 1)
    #expect(again.unchanged == 1)
    #expect(again.updated == 0)
    #expect(try Self.snapshot(store.database) == before)
    let paper = try #require(try store.paper(id: "2506.00101"))
    #expect(paper.title == "Sparse retrieval (corrected)")
    #expect(paper.announced == "2025-06-11")
  }

  /// An older day's listing keeps the stored text, while a correction
  /// listed on the row's own day still replaces it.
  @Test func sameDayCorrectionStillReplaces() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try Self.openDatabase(in: folder))
    try store.importDay(
      date: "2025-06-11", papers: [Self.paper("2506.00101", title: "Sparse retrieval (corrected)")])
    let first = try store.importDay(
      date: "2025-06-10", papers: [Self.paper("2506.00101", title: "Sparse retrieval")])
    let same = try store.importDay(
      date: "2025-06-11", papers: [Self.paper("2506.00101", title: "Sparse retrieval (again)")])

    #expect(first.unchanged == 1)
    #expect(same.updated == 1)
    #expect(try store.paper(id: "2506.00101")?.title == "Sparse retrieval (again)")
  }

  @Test func duplicateInListingKeepsHighestVersion() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try Self.openDatabase(in: folder))
    let papers = [
      Self.paper("2505.00001", version: 1, title: "One"),
      Self.paper("2505.00001", version: 2, title: "Two"),
      Self.paper("2505.00002"),
    ]

    let summary = try store.importDay(date: "2025-05-05", papers: papers)

    #expect(summary.inserted == 2)
    #expect(try store.paper(id: "2505.00001")?.title == "Two")
  }

  @Test func failedImportWritesNothing() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let database = try Self.openDatabase(in: folder)
    let store = PaperStore(database: database)
    let good = FeedDocument(
      format: .jsonLines, source: "good.jsonl", date: "2025-05-05",
      papers: [Self.paper("2505.00001")])
    let bad = FeedDocument(
      format: .jsonLines, source: "bad.jsonl", date: "2025-13-40",
      papers: [Self.paper("2505.00002")])

    let error = #expect(throws: PaperSiftError.self) {
      try store.importDocuments([good, bad])
    }

    #expect(error?.message == "Invalid announcement date '2025-13-40': expected YYYY-MM-DD.")
    #expect(try store.paperCount() == 0)
    #expect(try Self.snapshot(database).isEmpty)
  }

  @Test func lookUpIsStoredWithoutDay() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = PaperStore(database: try Self.openDatabase(in: folder))
    let atom = try FeedReader.read(contentsOf: try TestFiles.feed(TestFiles.atomSample))

    let summary = try store.store(atom.papers)

    #expect(summary.inserted == 5)
    #expect(try store.announcementDays().isEmpty)
    let paper = try #require(try store.paper(id: "2505.01197"))
    #expect(paper.announced == nil)
    #expect(paper.announceType == .unknown)
    #expect(paper.published == "2025-05-05")
    #expect(paper.categories.first == "stat.ML")

    let day = try FeedReader.read(contentsOf: TestFiles.benchmarkDay)
    let daySummary = try store.importDay(date: "2025-05-05", papers: day.papers)
    #expect(daySummary.inserted == 171)
    #expect(daySummary.updated == 5)
    let listed = try #require(try store.paper(id: "2505.01197"))
    #expect(listed.announced == "2025-05-05")
    #expect(listed.announceType == .new)
    #expect(listed.published == "2025-05-05")
  }

  @Test func twoConnectionsWriteAtOnce() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("papersift.sqlite").path
    _ = try Database(path: path)
    let failures = Mutex<[String]>([])
    let days = ["2025-05-05", "2025-05-06"]

    DispatchQueue.concurrentPerform(iterations: days.count) { worker in
      do {
        let store = PaperStore(database: try Database(path: path))
        for round in 0..<20 {
          let papers = (0..<50).map { index in
            Self.paper(String(format: "2505.%05d", worker * 1000 + index), title: "Round \(round)")
          }
          try store.importDay(date: days[worker], papers: papers)
        }
      } catch {
        failures.withLock { $0.append(String(describing: error)) }
      }
    }

    #expect(failures.withLock { $0 } == [])
    let store = PaperStore(database: try Database(path: path))
    #expect(try store.paperCount() == 100)
    #expect(try store.announcementDays().map(\.papers) == [50, 50])
    #expect(try store.paper(id: "2505.01049")?.title == "Round 19")
  }
}
