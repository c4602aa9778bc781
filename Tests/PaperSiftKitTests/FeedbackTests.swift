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
  func lookUp(ids: [String]) throws -> PaperLookupResult {
    throw PaperSiftError(.network, "Unable to reach the arXiv API: timed out.")
  }
}

struct FixedLookup: PaperLookup {
  let papers: [Paper]
  var rejected: [String: String] = [:]

  func lookUp(ids: [String]) throws -> PaperLookupResult {
    PaperLookupResult(
      papers: papers.filter { ids.contains($0.id) },
      rejected: rejected.filter { ids.contains($0.key) })
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
    ("math.GT/0309136", "math/0309136"),
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

  /// Timestamps have whole seconds, so feedback of one second keeps the
  /// order in which it was given, not the order of its ids.
  @Test func entriesOfOneSecondInGivenOrder() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let store = FeedbackStore(database: storage.database)
    let ids = try ["2505.00003", "2505.00002", "2505.00001", "2412.00001"].map {
      try ArxivIdentifier(parsing: $0)
    }
    let second = Date(timeIntervalSince1970: 1_750_000_000)

    _ = try store.record([ids[0]], label: .liked, source: "command", at: second)
    _ = try store.record([ids[1]], label: .disliked, source: "command", at: second)
    _ = try store.record([ids[2]], label: .liked, source: "command", at: second + 0.5)
    // A change moves the feedback after the others of its second.
    _ = try store.record([ids[0]], label: .disliked, source: "command", at: second + 0.9)
    // Unchanged feedback keeps its place.
    _ = try store.record([ids[1]], label: .disliked, source: "command", at: second + 0.9)
    _ = try store.record([ids[3]], label: .liked, source: "command", at: second + 1)

    let entries = try store.entries()
    #expect(entries.map(\.paperId) == ["2505.00002", "2505.00001", "2505.00003", "2412.00001"])
    #expect(entries.map(\.label) == [.disliked, .liked, .disliked, .liked])
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

  @Test func pendingLikeKeptUntilThirdMissDay() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let store = FeedbackStore(database: storage.database)
    _ = try store.record(
      ["2505.99999", "2505.99998"].map { try ArxivIdentifier(parsing: $0) }, label: .liked,
      source: "command")
    let day1 = try ArxivIdentifierTests.instant("2025-05-05T23:00:00Z")
    let day1Later = try ArxivIdentifierTests.instant("2025-05-05T23:59:00Z")
    let day2 = try ArxivIdentifierTests.instant("2025-05-06T00:30:00Z")
    let day3 = try ArxivIdentifierTests.instant("2025-05-09T12:00:00Z")
    let missing = ["2505.99999", "2401.00001"]

    let first = try FeedbackInput.recordNotFound(missing, database: storage.database, now: day1)
    let sameDay = try FeedbackInput.recordNotFound(
      missing, database: storage.database, now: day1Later)
    let second = try FeedbackInput.recordNotFound(missing, database: storage.database, now: day2)
    #expect(Set(try store.pendingIds()) == ["2505.99999", "2505.99998"])
    let third = try FeedbackInput.recordNotFound(missing, database: storage.database, now: day3)

    #expect(first.stillPending == ["2505.99999": 1])
    #expect(first.removed.isEmpty)
    #expect(sameDay.stillPending == ["2505.99999": 1])
    #expect(second.stillPending == ["2505.99999": 2])
    #expect(third.stillPending.isEmpty)
    #expect(third.removed == ["2505.99999"])
    #expect(try store.pendingIds() == ["2505.99998"])
  }

  @Test func schemaOneDatabaseIsUpgraded() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let path = storage.folder.appendingPathComponent("schema1.sqlite").path
    do {
      let old = try Database(path: path, busyTimeoutMilliseconds: 1_000, schemaVersion: 1)
      try old.run(
        "INSERT INTO feedback (paper_id, label, created, source) VALUES (?, 1, ?, 'command')",
        [.text("2505.99999"), .text("2025-05-01T00:00:00Z")])
      #expect(try old.scalar("PRAGMA user_version") == .integer(1))
    }

    let upgraded = try Database(path: path)

    #expect(try upgraded.scalar("PRAGMA user_version") == .integer(Int64(Migrations.all.count)))
    #expect(try FeedbackStore(database: upgraded).pendingIds() == ["2505.99999"])
    let days = try FeedbackStore(database: upgraded).recordLookupMiss(
      ["2505.99999"], day: "2025-05-05")
    #expect(days == ["2505.99999": 1])
    #expect(
      try upgraded.scalar("SELECT last_lookup_miss FROM feedback") == .text("2025-05-05"))
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
    let text = "# my history\n2501.19281v2\n\nhttps://arxiv.org/abs/hep-th/9901001\n2501.19281\n"
    let contents = try FeedbackInput.parse(text, source: "ids.txt")
    #expect(contents.identifiers.map(\.id) == ["2501.19281", "hep-th/9901001"])
    #expect(contents.skippedEntries.isEmpty)
  }

  @Test func idListWithAtSignInComment() throws {
    let text = "# see @article(this one) and @misc{x}\n2505.01136\n"
    let contents = try FeedbackInput.parse(text, source: "ids.txt")
    #expect(contents.identifiers.map(\.id) == ["2505.01136"])
    #expect(contents.entryCount == 0)
  }

  @Test func idListWithWindowsLineEndings() throws {
    let text = "# my history\r\n2505.01136\r\n\r\n2505.01197\r\n"
    let contents = try FeedbackInput.parse(text, source: "ids.txt")
    #expect(contents.identifiers.map(\.id) == ["2505.01136", "2505.01197"])
  }

  @Test(arguments: ["not-an-id", "foo/9901001", "2501.00000", "2513.19281"])
  func idListSkipsBadLine(line: String) throws {
    let contents = try FeedbackInput.parse(
      "2501.19281\n \(line)\t\n2505.01136\n", source: "ids.txt")

    #expect(contents.identifiers.map(\.id) == ["2501.19281", "2505.01136"])
    #expect(contents.invalidLines == [InvalidListLine(line: 2, text: line, rejection: nil)])
  }

  @Test func idListSkipsFutureAndEarlyMonths() throws {
    let now = try ArxivIdentifierTests.instant("2025-01-15T12:00:00Z")
    let text = "2501.19281\n2503.00001v2\n2502.00001\n\n0612.1234\n"

    let contents = try FeedbackInput.parse(text, source: "ids.txt", now: now)

    #expect(contents.identifiers.map(\.id) == ["2501.19281", "2502.00001"])
    #expect(contents.invalidLines.map(\.line) == [2, 5])
    #expect(contents.invalidLines.map(\.text) == ["2503.00001v2", "0612.1234"])
    #expect(
      contents.invalidLines.first?.rejection
        == ArxivIdentifier.Rejection(
          reason: "its month 2025-03 is in the future",
          advice: "Check the id, and the system clock if the id is right."))
    #expect(
      contents.invalidLines.last?.rejection?.reason
        == "its YYMM 0612 is before 0704 (April 2007), the first month of new-style ids "
        + "(YYMM.NNNNN)")
  }

  @Test func invalidLineReportNamesEveryLine() throws {
    let now = try ArxivIdentifierTests.instant("2025-01-15T12:00:00Z")
    let text = "2501.19281\nfoo\n2503.00001\n9912.00001\n"

    let contents = try FeedbackInput.parse(text, source: "ids.txt", now: now)
    let report = FeedbackInput.invalidIDReport(for: contents, source: "ids.txt")

    #expect(
      report == """
        Skipped 3 lines of 'ids.txt' that are not valid arXiv ids:
          line 2: 'foo'
          line 3: '2503.00001' because its month 2025-03 is in the future
          line 4: '9912.00001' because new-style ids (YYMM.NNNNN) start at 0704 (April 2007), \
        so its YYMM 9912 would be the month 2099-12, which is in the future
        Accepted forms: \(ArxivIdentifier.acceptedForms). Check the id, and the system clock \
        if the id is right. Papers from before April 2007 have old-style ids, archive/YYMMNNN, \
        such as hep-th/9901001.
        """)
  }

  @Test func invalidLineReportNamesRestAsRanges() throws {
    let bad = [2, 3, 4, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20]
    let lines = (1...20).map { bad.contains($0) ? "bad\($0)" : String(format: "2501.%05d", $0) }

    let contents = try FeedbackInput.parse(lines.joined(separator: "\n"), source: "ids.txt")
    let report = try #require(FeedbackInput.invalidIDReport(for: contents, source: "ids.txt"))

    #expect(report.hasPrefix("Skipped 14 lines of 'ids.txt' that are not valid arXiv ids:\n"))
    #expect(report.contains("\n  line 13: 'bad13'\n  and 4 more, on lines 14-16,20\n"))
    #expect(!report.contains("line 14:"))
  }

  @Test func invalidLineReportOfOneLine() throws {
    let contents = try FeedbackInput.parse("2501.19281\nfoo\n", source: "ids.txt")
    let report = try #require(FeedbackInput.invalidIDReport(for: contents, source: "ids.txt"))

    #expect(report.hasPrefix("Skipped 1 line of 'ids.txt' that is not a valid arXiv id:\n"))
  }

  @Test func bibTeXFutureMonthSkippedWithProblem() throws {
    let now = try ArxivIdentifierTests.instant("2025-01-15T12:00:00Z")
    let text = """
      @article{soon, eprint = {2503.00001}}
      @misc{next, url = {https://arxiv.org/abs/2502.00001}}
      @misc{eprintFirst, doi = {10.48550/arXiv.2612.00001}, eprint = {2501.19281}}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib", now: now)
    #expect(contents.identifiers.map(\.id) == ["2502.00001", "2501.19281"])
    #expect(
      contents.skippedEntries == [
        SkippedBibTeXEntry(
          key: "soon", line: 1,
          problem: "invalid eprint '2503.00001' because its month 2025-03 is in the future")
      ])
  }

  @Test func bibTeXFields() throws {
    let text = """
      @article{a, title={One}, eprint={2501.19281}, archivePrefix={arXiv}}
      @misc{b, title={Two}, howpublished={\\url{https://arxiv.org/abs/2410.00001v2}}}
      @book{d, title={No arXiv id}, publisher={P}}
      @misc{e, url={https://arxiv.org/pdf/math.GT/0309136v1.pdf}}
      @online{f, eprint = "2302.12345", eprinttype = "arxiv"}
      @article{g, arxivId = {2505.01136}}
      @misc{h, doi = {10.48550/arXiv.2505.01197}}
      @article{i, journal = {arXiv preprint arXiv:2403.00001}, year = {2024}}
      @article(j, eprint = {{2404.00002}})
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(
      contents.identifiers.map(\.id) == [
        "2501.19281", "2410.00001", "math/0309136", "2302.12345", "2505.01136", "2505.01197",
        "2403.00001", "2404.00002",
      ])
    #expect(contents.skippedEntries.map(\.key) == ["d"])
    #expect(contents.entryCount == 9)
  }

  @Test func bibTeXSkipsCommentPreambleAndString() throws {
    let text = """
      Free text before entries is a comment: user@example.org.
      @comment{ eprint = {2503.29999} }
      @preamble{ "eprint = {2503.29998}" }
      @string{ arxivnote = "2503.29997" }
      @Comment{jabref-meta: {nested} eprint = {2503.29996}}
      @article{kept, eprint = {2501.19281}}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(contents.identifiers.map(\.id) == ["2501.19281"])
    #expect(contents.entryCount == 1)
    #expect(contents.skippedEntries.isEmpty)
  }

  @Test func bibTeXIgnoresFreeTextFields() throws {
    let text = """
      @article{cites, title = {A follow-up}, note = {see arXiv:2503.20006},
        abstract = {Builds on https://arxiv.org/abs/2503.20007.}, journal = {Nature}}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(contents.identifiers.isEmpty)
    #expect(contents.skippedEntries == [SkippedBibTeXEntry(key: "cites", line: 1, problem: nil)])
  }

  @Test func bibTeXEprintOfOtherServerIgnored() throws {
    let text = """
      @article{hal, eprint = {hal-01234567}, eprinttype = {hal}}
      @article{both, eprint = {hal-01234567}, archivePrefix = {HAL},
        url = {https://arxiv.org/abs/2501.19281}}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(contents.identifiers.map(\.id) == ["2501.19281"])
    #expect(contents.skippedEntries.map(\.key) == ["hal"])
  }

  @Test func bibTeXInvalidIdsSkippedWithProblem() throws {
    let text = """
      @article{short, eprint = {2503.2000}}
      @article{zero, eprint = {2501.00000}}

      @misc{oldArchive, url = {https://arxiv.org/abs/foo/9901001}}
      @misc{listing, url = {https://arxiv.org/list/cs.LG/recent}}
      @misc{typo, eprint = {2503.2000}, url = {https://arxiv.org/abs/2503.20001}}
      @misc{elsewhere, url = {https://example.org/2503.20001}}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    let reason = " because it is in none of the forms listed below"
    let short =
      "invalid eprint '2503.2000' because its number 2000 has 4 digits, but ids of the months "
      + "from 1501 (January 2015) on have 5"
    #expect(contents.identifiers.isEmpty)
    #expect(
      contents.skippedEntries == [
        SkippedBibTeXEntry(key: "short", line: 1, problem: short),
        SkippedBibTeXEntry(key: "zero", line: 2, problem: "invalid eprint '2501.00000'" + reason),
        SkippedBibTeXEntry(
          key: "oldArchive", line: 4,
          problem: "invalid url 'https://arxiv.org/abs/foo/9901001'" + reason),
        SkippedBibTeXEntry(
          key: "listing", line: 5,
          problem: "invalid url 'https://arxiv.org/list/cs.LG/recent'" + reason),
        SkippedBibTeXEntry(key: "typo", line: 6, problem: short),
        SkippedBibTeXEntry(key: "elsewhere", line: 7, problem: nil),
      ])
  }

  @Test func bibTeXValuesWithBracesQuotesAndConcatenation() throws {
    let text = """
      @string{prefix = "2501."}
      @article{nested, title = {The {BERT} model, "quoted"}, eprint = "{2501.19281}"}
      @article{joined, title = "A " # "title {with "quotes" in braces}" # {more}, eprint = 2505 # {.01136}}
      @article{multi,
        title = {Spans
          lines},
        eprint = {2505.01197},
      }
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(contents.identifiers.map(\.id) == ["2501.19281", "2505.01136", "2505.01197"])
  }

  @Test(arguments: [
    ("@article{open, eprint = {2501.19281}", "entry 'open' on line 1, it is not closed"),
    ("@article{q, title = \"unclosed}\n", "entry 'q' on line 1, it is not closed"),
    ("\n@comment{ never closed", "entry @comment on line 2, it is not closed"),
    (
      "@article{a, title = {x},\n@article{b, eprint = {2501.19281}}",
      "entry 'a' on line 1, expected a field 'name = value' on line 2"
    ),
    ("@article{c, eprint}", "entry 'c' on line 1, expected a field 'name = value' on line 1"),
    ("@article{d, eprint = }", "entry 'd' on line 1, field 'eprint' has no value"),
  ])
  func malformedBibTeXRejected(text: String, problem: String) {
    let error = #expect(throws: PaperSiftError.self) {
      try FeedbackInput.parse(text, source: "refs.bib")
    }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("Invalid BibTeX in 'refs.bib': in the \(problem)") == true)
  }

  @Test func skippedNoteAndReportSplitEntries() throws {
    let text = """
      @book{knuth84, title = {The TeXbook}}
      @article{smith25, eprint = {2503.2000}}
      @article{, title = {No key}}
      @article{ok, eprint = {2501.19281}}
      @article{, eprint = {0612.1234}}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    let note = try #require(FeedbackInput.skippedNote(for: contents, source: "refs.bib"))
    let report = FeedbackInput.invalidIDReport(for: contents, source: "refs.bib")

    #expect(
      note
        == "skipped 2 of 5 BibTeX entries in 'refs.bib' that have no arXiv id: "
        + "knuth84, the entry on line 3. "
        + "To include an entry, give it an arXiv id such as eprint = {2501.19281}.")
    #expect(
      report == """
        Skipped 2 BibTeX entries of 'refs.bib' with an invalid arXiv id:
          smith25, line 2: invalid eprint '2503.2000' because its number 2000 has 4 digits, but \
        ids of the months from 1501 (January 2015) on have 5
          the entry on line 5: invalid eprint '0612.1234' because its YYMM 0612 is before 0704 \
        (April 2007), the first month of new-style ids (YYMM.NNNNN)
        Write the id in the eprint, arxiv or url field in one of these forms: \
        \(ArxivIdentifier.acceptedForms).
        """)
  }

  @Test func skippedNoteNamesAtMostTenKeys() throws {
    let text = (1...13).map { "@book{book\($0), title = {T}}" }.joined(separator: "\n")
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    let note = try #require(FeedbackInput.skippedNote(for: contents, source: "refs.bib"))
    #expect(note.contains("skipped 13 of 13 BibTeX entries"))
    #expect(note.contains("book9, book10, and 3 more."))
    #expect(!note.contains("book11"))
  }

  @Test func skippedNoteAbsentWhenNothingSkipped() throws {
    let contents = try FeedbackInput.parse("@misc{a, eprint = {2501.19281}}", source: "a.bib")
    #expect(FeedbackInput.skippedNote(for: contents, source: "a.bib") == nil)
  }

  @Test func readFileStripsByteOrderMark() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("ids.txt")
    try Data([0xEF, 0xBB, 0xBF] + Array("2501.19281\n".utf8)).write(to: url)
    #expect(try FeedbackInput.read(contentsOf: url).identifiers.map(\.id) == ["2501.19281"])
  }

  @Test(arguments: [
    ([0x32, 0x35, 0x30, 0xFF, 0x0A] as [UInt8], 3),
    ([0x61, 0x0A, 0xC3] as [UInt8], 2),
    ([0x32, 0x35, 0x00, 0x31] as [UInt8], 2),
  ])
  func readFileRejectsBinary(bytes: [UInt8], offset: Int) throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("binary.dat")
    try Data(bytes).write(to: url)
    let error = #expect(throws: PaperSiftError.self) { try FeedbackInput.read(contentsOf: url) }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("'\(url.path)' is not a UTF-8 text file") == true)
    #expect(error?.message.contains("byte \(offset) of \(bytes.count) is invalid.") == true)
  }

  @Test func readFileRejectsFolder() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let error = #expect(throws: PaperSiftError.self) { try FeedbackInput.read(contentsOf: folder) }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("'\(folder.path)' is a folder, not a file.") == true)
  }

  @Test func readFileReadsPipe() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("ids.fifo")
    #expect(mkfifo(fifo.path, 0o600) == 0)
    // A writer thread fills the pipe, as a shell does for `--from /dev/stdin`.
    let writer = Thread {
      if let handle = FileHandle(forWritingAtPath: fifo.path) {
        handle.write(Data("2501.19281\narXiv:2502.00007v2\n".utf8))
        try? handle.close()
      }
    }
    writer.start()
    let ids = try FeedbackInput.read(contentsOf: fifo).identifiers.map(\.id)
    #expect(ids == ["2501.19281", "2502.00007"])
  }

  @Test func readFileReportsMissingFile() throws {
    let folder = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("missing.txt")
    let error = #expect(throws: PaperSiftError.self) { try FeedbackInput.read(contentsOf: url) }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("Unable to read '\(url.path)'") == true)
  }
}
