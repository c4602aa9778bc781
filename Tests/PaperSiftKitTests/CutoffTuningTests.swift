import Foundation
import Testing

@testable import PaperSiftKit

@Suite("Cutoff tuning")
struct CutoffTuningTests {
  static let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]
  static let plain = RankerWeights(profile: 1, logistic: 0, tfidf: 0)
  static let sharp = RankerWeights(profile: 0, logistic: 1, tfidf: 0)

  /// Four nights of 10 papers of 100 tokens, requests of 3 papers with 50
  /// fixed tokens. The `plain` weights rank the tuning nights' picks at
  /// ranks 1 and 3, then 2; the `sharp` weights at ranks 1 and 2, then 1.
  static func nights() -> [RecallDay] {
    let patterns: [(String, String, String)] = [
      ("2025-05-03", "P........P", "PP........"),
      ("2025-05-01", "P.P.......", "PP........"),
      ("2025-05-04", ".P........", "P........."),
      ("2025-05-02", ".P........", "P........."),
    ]
    return patterns.map { date, plain, sharp in
      RecallDay(
        date: date, papers: 10, picks: plain.filter { $0 == "P" }.count, requestTokens: 50,
        batchSize: 3,
        rankings: [
          RecallReplay.name(of: Self.plain): RecallFixtures.night(plain, scores: scores),
          RecallReplay.name(of: Self.sharp): RecallFixtures.night(sharp, scores: scores),
        ])
    }
  }

  @Test("split keeps date order")
  func splitOrder() {
    let (tuning, heldOut) = CutoffTuning.split(Self.nights())
    #expect(tuning.map(\.date) == ["2025-05-01", "2025-05-02"])
    #expect(heldOut.map(\.date) == ["2025-05-03", "2025-05-04"])
  }

  @Test("cheapest cutoff of each kind")
  func cheapestOfEachKind() throws {
    let tuning = CutoffTuning.split(Self.nights()).tuning
    let variant = RecallReplay.name(of: Self.plain)
    // All 3 picks need the top 3 of the first night ("P.P") and the top 2
    // of the second (".P"). ceil(0.20 * 10) = 2 keeps 2 of 3, and
    // ceil(0.21 * 10) = 3 keeps all 3.
    let fraction = try #require(
      CutoffTuning.cheapest(.fraction, variant: variant, days: tuning, target: 0.95))
    #expect(fraction.policy == CutoffPolicy(.fraction, 0.21))
    #expect(fraction.summary.recall == 1)
    let count = try #require(
      CutoffTuning.cheapest(.count, variant: variant, days: tuning, target: 0.95))
    #expect(count.policy == CutoffPolicy(.count, 3))
    // The third paper scores 0.7; a threshold of 0.705 keeps only two.
    let score = try #require(
      CutoffTuning.cheapest(.score, variant: variant, days: tuning, target: 0.95))
    #expect(score.policy == CutoffPolicy(.score, 0.7))
    // A lower target: 2 of 3 picks need only the top 2 papers of each night.
    let lower = try #require(
      CutoffTuning.cheapest(.count, variant: variant, days: tuning, target: 0.6))
    #expect(lower.policy == CutoffPolicy(.count, 2))
  }

  @Test("cheapest weights and cutoff chosen")
  func chosenWeights() throws {
    let result = CutoffTuning.tune(
      days: Self.nights(), candidates: [Self.plain, Self.sharp], target: 0.95)
    let chosen = try #require(result.chosen)
    // Sharp needs the top 2 of each tuning night: 2 * (50 + 200) = 500
    // tokens, against 2 * (50 + 300) = 700 for plain. Fraction, count and
    // score cost the same; the fraction is tried first.
    #expect(chosen.weights == Self.sharp)
    #expect(chosen.policy == CutoffPolicy(.fraction, 0.11))
    #expect(chosen.tuning.tokensSent == 500)
    #expect(chosen.tuning.recall == 1)
    // Held out, sharp's top 2 keep "PP" and "P.": all 3 picks.
    #expect(chosen.heldOut.recall == 1)
    #expect(chosen.heldOut.days == 2)
    #expect(result.tuningDates == ["2025-05-01", "2025-05-02"])
    #expect(result.heldOutDates == ["2025-05-03", "2025-05-04"])
    #expect(result.cheapestByKind.map(\.policy.kind) == [.fraction, .count, .score])
    #expect(result.cheapestByKind.allSatisfy { $0.weights == Self.sharp })
  }

  @Test("held-out labels never change the choice")
  func heldOutLabelsIgnored() throws {
    var altered = Self.nights()
    for index in altered.indices where altered[index].date >= "2025-05-03" {
      altered[index].rankings[RecallReplay.name(of: Self.sharp)] = RecallFixtures.night(
        ".........P", scores: Self.scores)
    }
    let original = CutoffTuning.tune(
      days: Self.nights(), candidates: [Self.plain, Self.sharp], target: 0.95)
    let changed = CutoffTuning.tune(
      days: altered, candidates: [Self.plain, Self.sharp], target: 0.95)
    #expect(changed.chosen?.policy == original.chosen?.policy)
    #expect(changed.chosen?.weights == original.chosen?.weights)
    #expect(changed.chosen?.tuning == original.chosen?.tuning)
    #expect(changed.chosen?.heldOut.recall != original.chosen?.heldOut.recall)
  }

  @Test("replay keeps later labels out of earlier nights")
  func replayWithoutLeaks() throws {
    let folder = try RecallFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var settings = RankingSettings()
    settings.minimumLabelledPapers = 0
    settings.minimumPapersPerClass = 1
    // Two histories that agree on every night but the third: there the LLM
    // picks alpha papers in one and beta papers in the other.
    let stay = try AxisNights.make(
      folder: folder, pickedAxes: ["alpha", "alpha", "alpha", "alpha"])
    let turn = try AxisNights.make(folder: folder, pickedAxes: ["alpha", "alpha", "beta", "alpha"])
    var stayReplay = RecallReplay(
      replay: Replay(
        days: stay, folder: folder, embedder: RecallAxisEmbedding(), settings: settings),
      weightCandidates: [RankerWeights()])
    var turnReplay = RecallReplay(
      replay: Replay(
        days: turn, folder: folder, embedder: RecallAxisEmbedding(), settings: settings),
      weightCandidates: [RankerWeights()])
    let stayDays = try stayReplay.run()
    let turnDays = try turnReplay.run()

    // Nights before the third see the same rankings, down to the raw scores.
    for night in 0..<2 {
      for (name, ranking) in stayDays[night].rankings {
        let other = try #require(turnDays[night].rankings[name])
        #expect(ranking.scores == other.scores, "night \(night), \(name)")
        #expect(ranking.cumulativePicks == other.cumulativePicks, "night \(night), \(name)")
      }
      let stayRaw = try rawScores(stayReplay.replay, night: night)
      let turnRaw = try rawScores(turnReplay.replay, night: night)
      #expect(stayRaw == turnRaw, "night \(night)")
    }
    // The fourth night's likes and models read the third night's labels, so
    // the same labels leaking backwards would have changed the raw scores.
    let stayLast = try rawScores(stayReplay.replay, night: 3)
    let turnLast = try rawScores(turnReplay.replay, night: 3)
    #expect(stayLast["cold"] != turnLast["cold"])
    #expect(stayLast["logistic"] != turnLast["logistic"])

    // Tuning reads the first two nights; the held-out half differs.
    let stayTuning = CutoffTuning.tune(days: stayDays, candidates: [RankerWeights()], target: 0.95)
    let turnTuning = CutoffTuning.tune(days: turnDays, candidates: [RankerWeights()], target: 0.95)
    #expect(stayTuning.tuningDates == ["2025-06-01", "2025-06-02"])
    #expect(stayTuning.chosen?.policy == turnTuning.chosen?.policy)
    #expect(stayTuning.chosen?.tuning == turnTuning.chosen?.tuning)
    #expect(stayTuning.chosen?.heldOut != turnTuning.chosen?.heldOut)
  }

  /// Returns the cold-start, logistic and tf-idf scores of a night's papers, in paper order,
  /// with -1000 where a model was not trained.
  func rawScores(_ replay: Replay, night: Int) throws -> [String: [Float]] {
    let rankings = try replay.rankings(forDayAt: night, variants: [.profile, .logistic, .tfidf])
    func column(_ variant: ReplayVariant, _ value: (RankedPaper) -> Float) -> [Float] {
      (rankings[variant] ?? []).sorted { $0.index < $1.index }.map(value)
    }
    return [
      "cold": column(.profile) { $0.cold.score },
      "logistic": column(.logistic) { $0.logistic ?? -1000 },
      "tfidf": column(.tfidf) { $0.tfidf ?? -1000 },
    ]
  }

  @Test(
    "weight candidate reproduces auto",
    arguments: [
      RankerWeights(), RankerWeights(profile: 1, logistic: 0.5, tfidf: 0),
      RankerWeights(profile: 0, logistic: 1, tfidf: 1), RankerWeights.tuned,
      RankerWeights(
        profile: 0.5, logistic: 0.25, tfidf: 0.6, neighbours: 0.5, authorOverlap: 0.3,
        authorCount: 0.2, singleAuthor: -0.8),
    ])
  func candidateMatchesAuto(weights: RankerWeights) throws {
    let folder = try RecallFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    var settings = RankingSettings()
    settings.weights = weights
    // Nights 1 and 2 have 0 and 20 labelled papers, below the switch-over
    // point of 30, so the models join from night 3.
    settings.minimumLabelledPapers = 30
    settings.minimumPapersPerClass = 1
    let days = try AxisNights.make(folder: folder, pickedAxes: ["alpha", "beta", "alpha", "beta"])
    var replay = RecallReplay(
      replay: Replay(
        days: days, folder: folder, embedder: RecallAxisEmbedding(), settings: settings),
      weightCandidates: [weights])
    for day in try replay.run() {
      let auto = try #require(day.rankings["auto"])
      let candidate = try #require(day.rankings[RecallReplay.name(of: weights)])
      #expect(candidate.scores == auto.scores, "\(day.date)")
      #expect(candidate.cumulativePicks == auto.cumulativePicks, "\(day.date)")
      #expect(candidate.cumulativeTokens == auto.cumulativeTokens, "\(day.date)")
    }
  }

  @Test("apply writes the chosen settings")
  func applyToConfiguration() throws {
    let folder = try RecallFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("config.json")
    var configuration = Configuration()
    configuration.llm.model = "local-model"
    configuration.ranking.topicsFile = "mine.md"
    configuration.ranking.followedAuthors = ["A. Author"]
    try configuration.save(to: url)

    let result = CutoffTuning.tune(
      days: Self.nights(), candidates: [Self.plain, Self.sharp], target: 0.95)
    let chosen = try #require(result.chosen)
    try CutoffTuning.apply(chosen, configurationAt: url)

    let reloaded = try Configuration.load(from: url)
    #expect(reloaded.ranking.weights == Self.sharp)
    #expect(reloaded.ranking.cutoffPolicy == "fraction")
    #expect(reloaded.ranking.cutoffValue == 0.11)
    #expect(try CutoffPolicy(settings: reloaded.ranking) == chosen.policy)
    #expect(reloaded.llm.model == "local-model")
    #expect(reloaded.ranking.topicsFile == "mine.md")
    #expect(reloaded.ranking.followedAuthors == ["A. Author"])

    let report = RecallReport(
      days: Self.nights(), tuning: result, configured: reloaded.ranking,
      run: RecallReport.RunInfo(
        command: "test", machine: "test", date: "2025-05-05", seconds: 0, cpuSeconds: 0,
        embeddedTexts: 0))
    let page = report.markdown(plotFile: nil)
    #expect(page.contains("`cutoffPolicy` \"fraction\", `cutoffValue` 0.11"))
    #expect(
      page.contains(
        "- Weights: profile 0.0, logistic 1.0, tf-idf SVM 0.0, tf-idf neighbours 0.0, "
          + "author overlap 0.0\n"))
  }

  @Test("apply without a file starts from defaults")
  func applyToMissingFile() throws {
    let folder = try RecallFixtures.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("config.json")
    let chosen = try #require(
      CutoffTuning.tune(days: Self.nights(), candidates: [Self.plain], target: 0.95).chosen)
    let written = try CutoffTuning.apply(chosen, configurationAt: url)
    var expected = RankingSettings()
    expected.weights = Self.plain
    expected.cutoffPolicy = "fraction"
    expected.cutoffValue = 0.21
    #expect(written == expected)
    #expect(try Configuration.load(from: url).ranking == expected)
  }
}
