import Foundation
import Testing

@testable import PaperSiftKit

/// Embeds a text as the unit vector its first word names: `x`, `y` or `z`.
struct AxisEmbedding: TextEmbedding {
  func embed(_ texts: [String]) throws -> Matrix {
    let rows = texts.map { text -> [Float] in
      switch text.prefix(1).lowercased() {
      case "x": [1, 0, 0]
      case "y": [0, 1, 0]
      default: [0, 0, 1]
      }
    }
    return Matrix(stacking: rows, columns: 3)
  }
}

@Suite struct ReplayTests {
  /// Writes a days folder: each night is a list of (id, title, picked).
  static func writeDays(_ nights: [(String, [(String, String, Bool)])], topics: String) throws
    -> URL
  {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("replay-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try topics.write(
      to: folder.appendingPathComponent("topics.md"), atomically: true, encoding: .utf8)
    for (date, papers) in nights {
      let paperLines = papers.map { id, title, _ in
        #"{"id": "\#(id)", "title": "\#(title)", "abstract": "a", "authors": [], "categories": []}"#
      }
      let labelLines = papers.filter(\.2).map { id, _, _ in
        #"{"id": "\#(id)", "relevance": 9, "novelty": 8, "selected_by": "llm"}"#
      }
      try paperLines.joined(separator: "\n").write(
        to: folder.appendingPathComponent("\(date).papers.jsonl"), atomically: true,
        encoding: .utf8)
      try labelLines.joined(separator: "\n").write(
        to: folder.appendingPathComponent("\(date).labels.jsonl"), atomically: true,
        encoding: .utf8)
    }
    return folder
  }

  @Test func countsByHand() throws {
    // Topic "x"; night 2 has 4 papers, x-papers first under the topic ranking.
    let folder = try Self.writeDays(
      [
        ("2025-01-01", [("1", "x one", true), ("2", "y two", false)]),
        (
          "2025-01-02",
          [
            ("3", "y three", true), ("4", "x four", false), ("5", "z five", false),
            ("6", "x six", true),
          ]
        ),
      ], topics: "1. x topic\n")
    defer { try? FileManager.default.removeItem(at: folder) }
    let days = try BenchmarkDays.load(from: folder)
    let replay = Replay(
      days: days, folder: folder, embedder: AxisEmbedding(), settings: RankingSettings())
    let results = try replay.run(variants: [.topics], firstScoredDay: 1)
    let night = try #require(results.first)
    #expect(results.count == 1)
    #expect(night.papers == 4)
    #expect(night.picks == 2)
    // Ranking: 4 and 6 tie at cosine 1 (index order), then 3 and 5 at 0.
    // Cuts: ceil(0.1·4) = 1 → {4}: 0; 0.25 → 1 → 0; 0.3 → 2 → {4, 6}: 1;
    // 0.5 → 2 → 1.
    #expect(
      night.variants["topics"] == ["0.1": 0, "0.2": 0, "0.25": 0, "0.3": 1, "0.4": 1, "0.5": 1])
  }

  @Test func countPicksCeilings() {
    let counts = Replay.countPicks(
      ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], picks: ["b", "e", "j"],
      fractions: [0.1, 0.2, 0.25, 0.5])
    #expect(counts == ["0.1": 0, "0.2": 1, "0.25": 1, "0.5": 2])
  }

  @Test func laterLabelsNeverReachEarlierNight() throws {
    let base: [(String, [(String, String, Bool)])] = [
      ("2025-01-01", [("1", "x a", true), ("2", "y b", false), ("3", "z c", false)]),
      ("2025-01-02", [("4", "x d", true), ("5", "y e", false), ("6", "z f", false)]),
      ("2025-01-03", [("7", "y g", true), ("8", "x h", false), ("9", "z i", false)]),
    ]
    var changed = base
    // Night 3's labels flip, which would change a model that saw them.
    changed[2].1 = [("7", "y g", false), ("8", "x h", true), ("9", "z i", true)]
    let first = try Self.writeDays(base, topics: "1. z topic\n")
    let second = try Self.writeDays(changed, topics: "1. z topic\n")
    defer {
      try? FileManager.default.removeItem(at: first)
      try? FileManager.default.removeItem(at: second)
    }
    var settings = RankingSettings()
    settings.minimumLabelledPapers = 0
    settings.minimumPapersPerClass = 1
    let variants: [ReplayVariant] = [.profile, .logistic, .auto]
    let results = try [first, second].map { folder in
      try Replay(
        days: BenchmarkDays.load(from: folder), folder: folder, embedder: AxisEmbedding(),
        settings: settings
      ).rankings(forDayAt: 1, variants: variants)
    }
    for variant in variants {
      let before = try #require(results[0][variant]).map(\.paperId)
      let after = try #require(results[1][variant]).map(\.paperId)
      #expect(before == after, "variant \(variant.rawValue)")
    }
    // The learned model did learn from night 1: the x paper ranks first.
    #expect(results[0][.logistic]?.first?.paperId == "4")
  }

  /// Night 1 ranks z first under the topic; its pick, x b, is below the cut.
  static let sentNights: [(String, [(String, String, Bool)])] = [
    ("2025-01-01", [("1", "z a", false), ("2", "x b", true), ("3", "y c", false)]),
    ("2025-01-02", [("4", "x d", true), ("5", "z e", true), ("6", "y f", false)]),
    ("2025-01-03", [("7", "y g", true), ("8", "x h", false), ("9", "z i", false)]),
  ]

  static func sentReplay(fraction: Double, folder: URL) throws -> Replay {
    var settings = RankingSettings()
    settings.minimumLabelledPapers = 0
    settings.minimumPapersPerClass = 1
    var run = RunSettings()
    run.auditFraction = 0
    run.auditMinimum = 0
    let replay = try Replay(
      days: BenchmarkDays.load(from: folder), folder: folder, embedder: AxisEmbedding(),
      settings: settings)
    replay.labels = .sentPapers(fraction: fraction, run: run)
    return replay
  }

  @Test func sentLabelsKeepSentPicks() throws {
    let folder = try Self.writeDays(Self.sentNights, topics: "1. z topic\n")
    defer { try? FileManager.default.removeItem(at: folder) }
    let replay = try Self.sentReplay(fraction: 0.34, folder: folder)
    _ = try replay.rankings(forDayAt: 2, variants: [.logistic])
    // ceil(0.34 · 3) = 2 papers sent a night. Night 1 has no history, so the
    // topic ranks it: z a, then x b and y c tie at cosine 0 in file order.
    #expect(replay.knownPicks(of: replay.days[0]) == ["2"])
    // With one sent paper a night, x b falls below the cut and is not known.
    let narrow = try Self.sentReplay(fraction: 0.3, folder: folder)
    _ = try narrow.rankings(forDayAt: 2, variants: [.logistic])
    #expect(narrow.knownPicks(of: narrow.days[0]).isEmpty)
    narrow.labels = .everyPaper
    #expect(narrow.knownPicks(of: narrow.days[0]) == ["2"])
  }

  @Test func sendingEveryPaperMatchesEveryLabel() throws {
    let folder = try Self.writeDays(Self.sentNights, topics: "1. z topic\n")
    defer { try? FileManager.default.removeItem(at: folder) }
    let sent = try Self.sentReplay(fraction: 1, folder: folder)
    let every = try Self.sentReplay(fraction: 1, folder: folder)
    every.labels = .everyPaper
    let variants: [ReplayVariant] = [.profile, .logistic, .tfidf, .auto]
    let fromSent = try sent.rankings(forDayAt: 2, variants: variants)
    let fromEvery = try every.rankings(forDayAt: 2, variants: variants)
    #expect(Set(fromSent.keys) == Set(variants))
    for variant in variants {
      #expect(fromSent[variant]?.map(\.paperId) == fromEvery[variant]?.map(\.paperId))
      #expect(fromSent[variant]?.map(\.score) == fromEvery[variant]?.map(\.score))
    }
  }

  @Test func topicsFileAndLabellerFromIndex() throws {
    let folder = try Self.writeDays(
      [("2025-01-01", [("1", "x a", true)]), ("2025-01-02", [("2", "y b", false)])],
      topics: "1. x topic\n")
    defer { try? FileManager.default.removeItem(at: folder) }
    let index = #"[{"date": "2025-01-02", "topics_file": "topics.later.md", "model": "gpt-5"}]"#
    try index.write(
      to: folder.appendingPathComponent("index.json"), atomically: true, encoding: .utf8)
    let days = try BenchmarkDays.load(from: folder)
    #expect(days.map(\.topicsFile) == ["topics.md", "topics.later.md"])
    #expect(days.map(\.labeller) == [nil, "gpt-5"])
    #expect(days[0].picks == ["1"])
  }
}
