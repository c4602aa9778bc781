import Foundation
import Testing

@testable import PaperSiftKit

/// Ranking a stored night in which the user liked or disliked some of its papers.
@Suite struct NightRankerTests {
  static let modelID = "test/model"

  /// Stores five papers announced on 2025-05-05 and one of 2025-05-01, with
  /// vectors on the unit circle, and records the feedback on them.
  ///
  /// Tonight: 2505.00001 at 0° (liked), 2505.00002 at 10° (liked),
  /// 2505.00003 at 90° (disliked), 2505.00004 at 80° and 2505.00005 at 45°.
  /// Earlier: 2505.00009 at 90°, disliked.
  static func storeNight(in database: Database) throws {
    let tonight = (1...5).map { StoredRankingInputsTests.paper("2505.0000\($0)") }
    let earlier = StoredRankingInputsTests.paper("2505.00009")
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-05-05", papers: tonight),
      FeedDocument(format: .rss, source: "test", date: "2025-05-01", papers: [earlier]),
    ])
    let angles: [Float] = [0, 10, 90, 80, 45, 90]
    let vectors = angles.map { degrees -> [Float] in
      let radians = degrees * .pi / 180
      return [cos(radians), sin(radians), 0]
    }
    try EmbeddingStore(database: database).save(
      vectors, for: tonight + [earlier], modelID: modelID)
    let feedback = FeedbackStore(database: database)
    _ = try feedback.record(
      ["2505.00001", "2505.00002"].map { try ArxivIdentifier(parsing: $0) }, label: .liked,
      source: "test")
    _ = try feedback.record(
      ["2505.00003", "2505.00009"].map { try ArxivIdentifier(parsing: $0) }, label: .disliked,
      source: "test")
  }

  static func rank(_ database: Database) throws -> NightRanking {
    let inputs = StoredRankingInputs(database: database, modelId: modelID, dimension: 3)
    return try NightRanker.rank(
      date: "2025-05-05", inputs: inputs, settings: RankingSettings(), topics: nil,
      embedder: nil)
  }

  /// Stores the night of ``storeNight(in:)`` in a new database and ranks
  /// it. The caller removes `folder`.
  static func rankStoredNight() throws -> (
    ranking: NightRanking, items: [RankingReport.Item], byId: [String: RankingReport.Item],
    folder: URL
  ) {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    try Self.storeNight(in: database)
    let ranking = try Self.rank(database)
    let items = RankingReport.items(ranking, top: nil)
    let byId = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
    return (ranking, items, byId, folder)
  }

  @Test func likedPapersPassAndExplainThemselves() throws {
    let (ranking, items, byId, folder) = try Self.rankStoredNight()
    defer { try? FileManager.default.removeItem(at: folder) }

    // Each liked paper is compared with the other like only, at cos 10°.
    #expect(Array(items.prefix(2)).map(\.likedByUser) == [true, true])
    #expect(Set(items.prefix(2).map(\.id)) == ["2505.00001", "2505.00002"])
    #expect(items.dropFirst(2).allSatisfy { !$0.likedByUser })
    #expect(items.dropFirst(2).allSatisfy { $0.score < 1 })
    #expect(byId["2505.00001"]?.closestLiked == "2505.00002")
    #expect(byId["2505.00002"]?.closestLiked == "2505.00001")
    let cos10 = Float(cos(10 * Double.pi / 180))
    #expect(abs((byId["2505.00001"]?.likedSimilarity ?? 0) - cos10) < 1e-6)
    #expect(items.allSatisfy { $0.closestLiked != $0.id })

    let text = RankingReport.text(ranking, top: nil, explain: true)
    #expect(text.contains("2505.00001  "), "text: \(text)")
    #expect(text.contains("[liked]"))
    #expect(
      text.contains(
        "you liked this paper, closest like 2505.00002 (mean cosine of the nearest likes "
          + String(format: "%.3f", cos10) + ")"), "text: \(text)")
    #expect(!text.contains("closest like 2505.00001 (mean cosine of the nearest likes 1.000)"))
    #expect(!text.contains("nearest likes 1.000)"), "text: \(text)")
  }

  @Test func dislikesExplainTheirPenalty() throws {
    let (ranking, _, byId, folder) = try Self.rankStoredNight()
    defer { try? FileManager.default.removeItem(at: folder) }

    // The disliked 2505.00003 is compared with the other dislike only,
    // 2505.00009 at the same 90°, so the cosine is 1 and, at the default
    // ranking.cold.dislikeWeight of 1, so is the penalty.
    let disliked = try #require(byId["2505.00003"])
    #expect(disliked.closestDisliked == "2505.00009")
    #expect(abs((disliked.dislikedSimilarity ?? 0) - 1) < 1e-6)
    #expect(abs((disliked.dislikedPenalty ?? 0) - 1) < 1e-6)
    // 2505.00004 at 80° is 10° from both dislikes, so their mean is cos 10°.
    let near = try #require(byId["2505.00004"])
    let cos10 = Float(cos(10 * Double.pi / 180))
    #expect(["2505.00003", "2505.00009"].contains(near.closestDisliked ?? ""))
    #expect(abs((near.dislikedSimilarity ?? 0) - cos10) < 1e-6)
    #expect(abs((near.dislikedPenalty ?? 0) - cos10) < 1e-6)

    let text = RankingReport.text(ranking, top: nil, explain: true)
    #expect(
      text.contains(
        "you disliked this paper, closest like 2505.00002 (mean cosine of the nearest likes "
          + "0.087), closest dislike 2505.00009 (mean cosine of the nearest dislikes 1.000, "
          + "minus 1.000)"), "text: \(text)")
  }

  @Test func earlierPickCountsAsLike() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    // 2505.00021 at 80°, picked by the LLM on 2025-04-25, ten days earlier;
    // 2505.00022 at 0°, scored below the rule. Tonight: 0° and 80°.
    let earlier = ["2505.00021", "2505.00022"].map(StoredRankingInputsTests.paper)
    let tonight = ["2505.00031", "2505.00032"].map(StoredRankingInputsTests.paper)
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-04-25", papers: earlier),
      FeedDocument(format: .rss, source: "test", date: "2025-05-05", papers: tonight),
    ])
    let vectors = [80, 0, 0, 80].map { (degrees: Float) -> [Float] in
      [cos(degrees * .pi / 180), sin(degrees * .pi / 180), 0]
    }
    try EmbeddingStore(database: database).save(
      vectors, for: earlier + tonight, modelID: Self.modelID)
    try ScoreStore(database: database).save(
      [
        PaperScore(paperID: "2505.00021", relevance: 9, novelty: 8, comment: "pick"),
        PaperScore(paperID: "2505.00022", relevance: 3, novelty: 5, comment: "off topic"),
      ], model: "m", promptHash: "h", batchID: nil)

    let ranking = try Self.rank(database)
    let pickEntries = ranking.profile.entries.filter { $0.kind == .pick }
    #expect(pickEntries.map(\.label) == ["2505.00021"])
    // Ten days at the default half-life.
    let halfLife = RankingSettings().cold.halfLifeDays
    #expect(abs(Double(pickEntries[0].weight) - pow(0.5, 10 / halfLife)) < 1e-6)
    // Two labelled papers are too few for the models: the pick alone ranks,
    // so the 80° paper comes first with cosine 1 and the 0° one gets cos 80°.
    #expect(!ranking.usedModels)
    let items = RankingReport.items(ranking, top: nil)
    #expect(items.map(\.id) == ["2505.00032", "2505.00031"])
    #expect(abs((items[0].likedSimilarity ?? 0) - 1) < 1e-6)
    #expect(abs((items[1].likedSimilarity ?? 0) - Float(cos(80 * Double.pi / 180))) < 1e-6)
    // A pick is not the user's like: nothing passes for it.
    #expect(items.allSatisfy { !$0.likedByUser })
    #expect(items.allSatisfy { $0.closestLikedIsPick })
    // The digest names the pick as the reason, not a like.
    let first = try #require(ranking.ranked.first)
    #expect(
      NightSlice.reason(for: first, profile: ranking.profile) == .earlierPick(id: "2505.00021"))
    let text = RankingReport.text(ranking, top: nil, explain: true)
    #expect(text.contains("ranked by earlier LLM picks only."), "text: \(text)")
    #expect(
      text.contains(
        "closest earlier LLM pick 2505.00021 (mean cosine of the nearest likes and picks 1.000)"),
      "text: \(text)")
  }

  /// The earlier night contains the one labelled paper, the dislike of
  /// 2505.00009, so no scored night added a label. The likes and dislike of
  /// tonight count from the next night.
  @Test func headerCountsFeedbackApartFromNights() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeNight(in: database)

    let ranking = try Self.rank(database)

    #expect(ranking.scoredNights == 0)
    #expect(ranking.feedbackLabels == 1)
    #expect(ranking.trainingSize == 1)
    #expect(ranking.trainingDays == 60)
    #expect(
      RankingReport.header(ranking) == [
        "5 papers on 2025-05-05, ranked by likes only.",
        "The learned models start at 200 labelled papers with at least 20 picks and 20 other "
          + "papers among them (likes, dislikes, the LLM's scores and the other papers of nights "
          + "that a run scored). They have 1 so far: 1 like or dislike and 0 papers from 0 "
          + "scored nights of the 60-day training window. The likes and scores of 2025-05-05 "
          + "count from the next night on.",
      ])
  }

  /// An LLM score on a paper of 2025-05-02 makes that night count, while
  /// 2025-05-01 adds only the dislike of 2505.00009, a feedback label.
  @Test func headerCountsNightWithScore() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeNight(in: database)
    let scored = StoredRankingInputsTests.paper("2505.00010")
    try PaperStore(database: database).importDocuments([
      FeedDocument(format: .rss, source: "test", date: "2025-05-02", papers: [scored])
    ])
    try EmbeddingStore(database: database).save([[1, 0, 0]], for: [scored], modelID: Self.modelID)
    try ScoreStore(database: database).save(
      [PaperScore(paperID: scored.id, relevance: 9, novelty: 8, comment: "pick")], model: "m",
      promptHash: "h", batchID: nil)

    let ranking = try Self.rank(database)

    #expect(ranking.trainingSize == 2)
    #expect(ranking.positives == 1)
    #expect(ranking.feedbackLabels == 1)
    #expect(ranking.scoredNights == 1)
    #expect(
      RankingReport.modelsLine(ranking).contains(
        "They have 2 so far: 1 like or dislike and 1 paper from 1 scored night of the 60-day "
          + "training window."))
  }

  @Test func dislikedPaperLeavesOutOwnVector() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeNight(in: database)

    let ranking = try Self.rank(database)
    let ranked = Dictionary(uniqueKeysWithValues: ranking.ranked.map { ($0.paperId, $0) })
    let disliked = try #require(ranked["2505.00003"])
    let neighbour = try #require(ranked["2505.00004"])

    // 2505.00003 meets only the other dislike, 2505.00009 at the same 90°.
    #expect(abs(disliked.cold.disliked - 1) < 1e-6)
    #expect(!disliked.alwaysPasses)
    // Without 2505.00009 its own vector would be all that is left: check the
    // disliked term falls to 0 then, rather than 1 from itself.
    _ = try FeedbackStore(database: database).remove([
      try ArxivIdentifier(parsing: "2505.00009")
    ])
    let alone = try Self.rank(database).ranked.first { $0.paperId == "2505.00003" }
    #expect(alone?.cold.disliked == 0)
    // A paper with no feedback of its own meets both dislikes: cos 10° twice.
    let cos10 = Float(cos(10 * Double.pi / 180))
    #expect(abs(neighbour.cold.disliked - cos10) < 1e-6)
  }

  @Test func dislikedPaperIsMarked() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeNight(in: database)

    let ranking = try Self.rank(database)
    let items = RankingReport.items(ranking, top: nil)

    // 2505.00009 is disliked but not announced tonight.
    #expect(items.filter(\.dislikedByUser).map(\.id) == ["2505.00003"])
    #expect(items.filter(\.dislikedByUser).allSatisfy { !$0.likedByUser })
    let text = RankingReport.text(ranking, top: nil, explain: true)
    let lines = text.split(separator: "\n").map(String.init)
    let line = try #require(lines.firstIndex { $0.contains(" 2505.00003  ") })
    #expect(lines[line].hasSuffix("[disliked]"))
    #expect(lines[line + 1].contains("you disliked this paper"))
    // It ranks last and is never sent, even when the cutoff takes every paper.
    #expect(items.last?.id == "2505.00003")
    #expect((items.last?.score ?? 1) < 0)
    let slice = NightSlice(
      ranking: ranking, cutoff: CutoffPolicy(.fraction, 1),
      recorded: (policy: "fraction", value: 1), settings: Configuration(), date: "2025-05-05")
    #expect(!slice.sentIDs.contains("2505.00003"))
    #expect(!slice.auditIDs.contains("2505.00003"))
    #expect(slice.sentIDs.count == items.count - 1)
  }

  @Test func likedPaperIsSentWithReason() throws {
    let (database, folder) = try EmbeddingStoreTests.temporaryDatabase()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Self.storeNight(in: database)
    let ranking = try Self.rank(database)

    // A cutoff of no paper sends none by rank, but both likes pass.
    let slice = NightSlice(
      ranking: ranking, cutoff: CutoffPolicy(.count, 0), recorded: (policy: "count", value: 0),
      settings: Configuration(), date: "2025-05-05")

    #expect(slice.sentIDs == ["2505.00001", "2505.00002"])
    let reasons = slice.digestRanking.filter { $0.reason != nil }
    #expect(reasons.map(\.paper.id) == ["2505.00001", "2505.00002"])
    #expect(reasons.allSatisfy { $0.reason == .likedByUser })
    #expect(DigestContent.PassReason.likedByUser.text == "you liked this paper")
  }

  /// Imports the first six papers of 2025-05-05 into `home`, gives the
  /// first `count` of them the feedback `verb` (`like` or `dislike`), and
  /// runs `rank --explain` and `rank --json`.
  static func rankAfterFeedback(_ verb: String, count: Int, home: URL) throws -> (
    ids: [String], explained: PaperSiftProcess.Result, json: PaperSiftProcess.Result
  ) {
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let configURL = home.appendingPathComponent("config.json")
    var configuration = try Configuration.load(from: configURL)
    // The papers are stored, so `like` looks nothing up. Port 9 of the
    // loopback address is closed in any case.
    configuration.fetch.apiBaseURL = "http://127.0.0.1:9/api/query"
    try configuration.save(to: configURL)
    let listing = try NightFixtures.importSmallDay(6, into: home)
    let papersift = try PaperSiftProcess(home: home)
    let ids = listing.prefix(count).map(\.id)
    let given = try papersift.run([verb] + ids)
    #expect(given.status == 0, "stderr: \(given.errorOutput)")

    let topics = ["--topics", NightFixtures.topicsFile.path]
    let explained = try papersift.run(["rank", "--explain"] + topics)
    let json = try papersift.run(["rank", "--json"] + topics)
    return (ids, explained, json)
  }

  @Test func rankCommandExplainsLike() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let (likedIds, explained, json) = try Self.rankAfterFeedback("like", count: 2, home: home)

    #expect(explained.status == 0, "stderr: \(explained.errorOutput)")
    let lines = explained.output.split(separator: "\n").map(String.init)
    for (offset, id) in likedIds.enumerated() {
      let rankLine = try #require(lines.firstIndex { $0.contains(" \(id)  ") })
      let rank = lines[rankLine].prefix(5)
      #expect(rank == "  1. " || rank == "  2. ", "output: \(explained.output)")
      #expect(lines[rankLine].hasSuffix("[liked]"))
      let explanation = lines[rankLine + 1]
      #expect(explanation.contains("you liked this paper"), "line: \(explanation)")
      #expect(!explanation.contains("closest like \(id)"), "line: \(explanation)")
      let other = likedIds[1 - offset]
      #expect(
        !explanation.contains("closest like") || explanation.contains("closest like \(other)"),
        "line: \(explanation)")
    }
    #expect(json.status == 0, "stderr: \(json.errorOutput)")
    let items = try #require(
      JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
    #expect(items.count == 6)
    #expect(items.prefix(2).compactMap { $0["id"] as? String }.sorted() == likedIds.sorted())
    #expect(items.prefix(2).allSatisfy { $0["likedByUser"] as? Bool == true })
    #expect(items.dropFirst(2).allSatisfy { $0["likedByUser"] as? Bool == false })
    #expect(items.allSatisfy { ($0["closestLiked"] as? String) != ($0["id"] as? String) })
  }

  @Test func rankCommandExplainsDislike() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let (ids, explained, json) = try Self.rankAfterFeedback("dislike", count: 1, home: home)
    let dislikedId = try #require(ids.first)

    #expect(json.status == 0, "stderr: \(json.errorOutput)")
    let items = try #require(
      JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
    #expect(items.count == 6)
    let others = items.filter { $0["id"] as? String != dislikedId }
    #expect(others.count == 5)
    for item in others {
      // The only dislike is the closest one, and at the default
      // ranking.cold.dislikeWeight of 1 the penalty is its cosine.
      #expect(item["closestDisliked"] as? String == dislikedId, "item: \(item)")
      let similarity = try #require(item["dislikedSimilarity"] as? Double)
      let penalty = try #require(item["dislikedPenalty"] as? Double)
      #expect(abs(penalty - similarity) < 1e-6)
    }
    // The disliked paper is compared with the other dislikes, of which there are none.
    let own = try #require(items.first { $0["id"] as? String == dislikedId })
    #expect(own["closestDisliked"] == nil)
    #expect(own["dislikedPenalty"] == nil)

    #expect(explained.status == 0, "stderr: \(explained.errorOutput)")
    let lines = explained.output.split(separator: "\n").map(String.init)
    for item in others {
      let id = try #require(item["id"] as? String)
      let rankLine = try #require(lines.firstIndex { $0.contains(" \(id)  ") })
      let similarity = try #require(item["dislikedSimilarity"] as? Double)
      let expected = String(
        format: "closest dislike %@ (mean cosine of the nearest dislikes %.3f, minus %.3f)",
        dislikedId, similarity, similarity)
      #expect(lines[rankLine + 1].contains(expected), "line: \(lines[rankLine + 1])")
    }
  }

  @Test func rankHelpExplainsScore() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }

    let result = try PaperSiftProcess(home: home).run(["rank", "--help"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.output.contains("The score column orders the night; it is not a probability."))
    #expect(result.output.contains("scores 0.990 and the last 0.010"))
    #expect(result.output.contains("gets 1 added, so its score is above 1"))
  }

  /// Without a topics file and without a like, dislike or LLM score, nothing
  /// ranks the night, so `rank` stops with the error and exit status of `run`
  /// before it embeds anything.
  @Test func rankWithNothingToRankByFailsAsRun() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let day = try NightFixtures.smallDay(3, in: home)
    let papersift = try PaperSiftProcess(home: home)
    #expect(try papersift.run(["import", day.path]).status == 0)

    let ranked = try papersift.run(["rank", "--top", "5"])
    let run = try papersift.run(["run", "--no-llm", "--input", day.path])

    let topics = home.appendingPathComponent("topics.md").path
    #expect(ranked.status == 2, "stderr: \(ranked.errorOutput)")
    #expect(ranked.output.isEmpty)
    let message = try #require(ranked.errorOutput.split(separator: "\n").last)
    #expect(message.hasPrefix("error: Unable to read the topics file '\(topics)': "))
    #expect(
      message.hasSuffix(
        "Pass --topics FILE, set ranking.topicsFile in the configuration, or copy "
          + "Data/topics/topics.md there and edit it to describe your interests."))
    #expect(run.status == 2, "stderr: \(run.errorOutput)")
    #expect(run.errorOutput.split(separator: "\n").last == message)
    let database = try Database(path: home.appendingPathComponent("papersift.sqlite").path)
    #expect(try database.scalar("SELECT COUNT(*) FROM embeddings") == .integer(0))
  }

  /// A like ranks the night without a topics file, with a warning.
  @Test func rankWithLikeNeedsNoTopicsFile() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    try NightFixtures.configure(home: home, llmBaseURL: nil)
    let listing = try NightFixtures.importSmallDay(3, into: home)
    let papersift = try PaperSiftProcess(home: home)
    let liked = try #require(listing.first?.id)
    #expect(try papersift.run(["like", liked]).status == 0)

    let result = try papersift.run(["rank"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(
      result.errorOutput.contains(
        "No topics file: ranking by likes, earlier LLM picks and learned models only; pass "
          + "--topics FILE"), "stderr: \(result.errorOutput)")
    let lines = result.output.split(separator: "\n").map(String.init)
    #expect(lines.first == "3 papers on 2025-05-05, ranked by likes only.")
    let first = try #require(lines.dropFirst().first { $0.hasPrefix("  1. ") })
    #expect(first.hasPrefix("  1. \(liked)  "))
    #expect(first.hasSuffix("[liked]"))
  }
}
