import CSQLite
import Foundation
import Testing

@testable import PaperSiftKit

/// Tests of reading and storing `like --from` id lists, down to lists
/// larger than one SQLite statement can bind.
@Suite struct FeedbackListTests {
  /// Texts with every line break that `Character.isNewline` matches.
  @Test(arguments: [
    "a\nb", "a\r\nb", "a\rb", "a\u{0B}b", "a\u{0C}b", "a\u{85}b", "a\u{2028}b", "a\u{2029}b",
    "a\n\rb", "\r\n\r\n", "", "a\n", "\n", "e\u{301}\nb", "a\n\u{301}b", "\u{2028}\u{2029}",
    "a\r", "\u{E2}\u{80}b", "\u{2027}x\u{202A}",
  ])
  func linesMatchCharacterSplit(text: String) {
    let expected = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)

    let lines = FeedbackInput.lines(of: text)

    #expect(lines == expected)
  }

  @Test(arguments: ["\u{85}", "\u{2028}", "\u{2029}", "\u{0B}", "\r", "\r\n"])
  func lineNumberCountsEachBreak(separator: String) {
    let text = ["2501.19281", "2502.00001", "not-an-id"].joined(separator: separator)

    let error = #expect(throws: PaperSiftError.self) {
      try FeedbackInput.parse(text, source: "ids.txt")
    }

    #expect(error?.message.contains("Invalid arXiv id 'not-an-id' on line 3 of 'ids.txt'") == true)
  }

  @Test(
    arguments: [
      ("@article{x,", true), (" \t@misc (x,", true), ("@Article  {x,", true),
      ("@book(x,", true), ("see @article(this)", false), ("@{x}", false),
      ("@article x", false), ("@ article{x,", false), ("# @misc{x}", false),
      ("@artícle{x,", false), ("", false), ("@", false),
    ] as [(String, Bool)])
  func bibTeXEntryStartsLine(line: String, starts: Bool) {
    #expect(FeedbackInput.startsBibTeXEntry(line[...]) == starts)
  }

  /// The non-breaking space U+00A0 is trimmed like a space, as
  /// `trimmingCharacters(in: .whitespaces)` does.
  @Test func listLineTrimsOtherSpaces() throws {
    let text = "\u{A0}2501.19281\t\n \t2502.00001 \n"

    let contents = try FeedbackInput.parse(text, source: "ids.txt")

    #expect(contents.identifiers.map(\.id) == ["2501.19281", "2502.00001"])
  }

  /// 40,000 ids: more than the 32,766 placeholders that one statement of
  /// SQLite's default build takes.
  static let manyIDs = (1...40_000).map { String(format: "2401.%05d", $0) }

  @Test func manyIdsRecordedOnce() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    let store = FeedbackStore(database: storage.database)
    let identifiers = try Self.manyIDs.map { try ArxivIdentifier(parsing: $0) }

    let first = try store.record(identifiers, label: .liked, source: "file")
    let again = try store.record(identifiers, label: .liked, source: "file")
    let flipped = try store.record(Array(identifiers.prefix(3)), label: .disliked, source: "file")

    #expect(first.count == 40_000)
    #expect(first.allSatisfy { $0 == .added })
    #expect(again.allSatisfy { $0 == .unchanged })
    #expect(flipped == [.changed, .changed, .changed])
    let rows = try storage.database.scalar("SELECT COUNT(*) FROM feedback")
    #expect(rows == .integer(40_000))
    let disliked = try storage.database.scalar("SELECT COUNT(*) FROM feedback WHERE label = -1")
    #expect(disliked == .integer(3))
  }

  @Test func manyIdsLookedUpInChunks() throws {
    let storage = try TemporaryDatabase()
    defer { storage.close() }
    // Debian builds SQLite with a limit of 250,000; this connection gets the default one.
    sqlite3_limit(storage.database.handle, SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
    // One stored paper in the first chunk of 1,000 ids and one in the last.
    let stored = ["2401.00002", "2401.39999"]
    for id in stored {
      try storage.insert(
        Paper(id: id, title: "T \(id)", abstract: "A.", authors: [], categories: ["cs.LG"]))
    }
    let papers = PaperStore(database: storage.database)

    let found = try papers.storedIDs(among: Self.manyIDs)
    let read = try papers.papers(ids: Self.manyIDs.reversed())
    let outcome = try FeedbackInput.resolveUnknown(
      Self.manyIDs, database: storage.database, lookup: nil, importer: nil)

    #expect(found == Set(stored))
    #expect(read.map(\.id) == stored)
    #expect(outcome.pending.count == 39_998)
    #expect(outcome.pending.first == "2401.00001")
    #expect(!outcome.pending.contains("2401.00002"))
    #expect(!outcome.pending.contains("2401.39999"))
  }
}
