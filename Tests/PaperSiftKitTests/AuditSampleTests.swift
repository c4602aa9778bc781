import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct AuditSampleTests {
  // MARK: - Drawing the sample

  private let candidates = (1...40).map { String(format: "2509.%05d", $0) }

  @Test func keyMatchesSHA256Prefix() {
    // Reference from Python: int(hashlib.sha256(b"2025-09-19\n2509.14961")
    // .hexdigest()[:16], 16), and the same for 2509.14249.
    #expect(AuditSample.key(for: "2509.14961", date: "2025-09-19") == 660_026_313_651_149_839)
    #expect(AuditSample.key(for: "2509.14249", date: "2025-09-19") == 3_393_963_438_285_806_446)
  }

  @Test func drawIsDeterministic() {
    let first = AuditSample.draw(from: candidates, count: 5, date: "2025-09-19")
    let second = AuditSample.draw(from: candidates, count: 5, date: "2025-09-19")
    #expect(first.count == 5)
    #expect(first == second)
  }

  @Test func drawKeepsCandidateOrder() {
    let drawn = AuditSample.draw(from: candidates, count: 7, date: "2025-09-19")
    let positions = drawn.compactMap { candidates.firstIndex(of: $0) }
    #expect(positions.count == 7)
    #expect(positions == positions.sorted())
    #expect(Set(drawn).count == 7)
  }

  @Test func drawTakesSmallestKeys() {
    let drawn = AuditSample.draw(from: candidates, count: 4, date: "2025-05-02")
    let byKey = candidates.sorted {
      AuditSample.key(for: $0, date: "2025-05-02") < AuditSample.key(for: $1, date: "2025-05-02")
    }
    #expect(Set(drawn) == Set(byKey.prefix(4)))
  }

  @Test func otherDateDrawsOtherSample() {
    let first = AuditSample.draw(from: candidates, count: 5, date: "2025-09-19")
    let second = AuditSample.draw(from: candidates, count: 5, date: "2025-09-22")
    #expect(first != second)
  }

  @Test(arguments: [(0, 0), (-3, 0), (40, 40), (41, 40), (100, 40)])
  func drawSizeIsClamped(count: Int, expected: Int) {
    let drawn = AuditSample.draw(from: candidates, count: count, date: "2025-09-19")
    #expect(drawn.count == expected)
  }

  @Test func emptyCandidatesGiveEmptySample() {
    #expect(AuditSample.draw(from: [], count: 5, date: "2025-09-19").isEmpty)
  }

  @Test func undrawnCandidateLeavingKeepsSample() {
    let drawn = AuditSample.draw(from: candidates, count: 5, date: "2025-09-19")
    let remaining = candidates.filter { !drawn.contains($0) }
    let shorter = candidates.filter { $0 != remaining[3] }
    #expect(AuditSample.draw(from: shorter, count: 5, date: "2025-09-19") == drawn)
  }

  /// Over 3000 nights each of 10 candidates should be drawn in about 3 of 10
  /// samples of 3: expected 900 draws, standard deviation sqrt(3000 * 0.3 *
  /// 0.7) = 25.1, so 5 deviations is a band of 774 to 1026.
  @Test func drawIsUniformOverNights() {
    let ten = Array(candidates.prefix(10))
    var draws = [String: Int]()
    for night in 0..<3000 {
      for id in AuditSample.draw(from: ten, count: 3, date: "night-\(night)") {
        draws[id, default: 0] += 1
      }
    }
    for id in ten {
      let count = draws[id] ?? 0
      #expect((774...1026).contains(count), "\(id) drawn \(count) times")
    }
  }

  // MARK: - Recall estimate

  /// Hand-computed cases. Notation: K picks above the cutoff, N papers below,
  /// n sampled, k picks in the sample, M the unknown picks below.
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var picksAbove: Int
    var below: Int
    var sample: Int
    var samplePicks: Int
    var confidence: Double
    var lost: Double?
    var lostRange: ClosedRange<Int>?
    var recall: Double?
    var recallLow: Double?
    var recallHigh: Double?
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    // N=10, n=2, k=0, K=4. P(X=0 | M) = C(10-M, 2) / C(10, 2) = (10-M)(9-M)/90:
    // M=7 gives 6/90 = 0.067 > 0.025 (kept), M=8 gives 2/90 = 0.022 (rejected).
    // P(X >= 0) = 1, so M_low = 0. Lost 10*0/2 = 0, recall 4/4 = 1,
    // low 4/(4+7) = 0.3636.
    Case(
      name: "no pick in sample", picksAbove: 4, below: 10, sample: 2, samplePicks: 0,
      confidence: 0.95, lost: 0, lostRange: 0...7, recall: 1, recallLow: 4.0 / 11,
      recallHigh: 1),
    // N=6, n=3, k=1, K=2, C(6,3) = 20. Feasible M: 1 to 6-(3-1) = 4.
    // M=1: P(X>=1) = C(1,1)C(5,2)/20 = 10/20. M=4: P(X<=1) = C(4,1)C(2,2)/20
    // = 4/20 = 0.2. Both above 0.025, so M in 1...4. Lost 6*1/3 = 2,
    // recall 2/(2+2) = 0.5, interval 2/(2+4) to 2/(2+1).
    Case(
      name: "one pick in sample", picksAbove: 2, below: 6, sample: 3, samplePicks: 1,
      confidence: 0.95, lost: 2, lostRange: 1...4, recall: 0.5, recallLow: 2.0 / 6,
      recallHigh: 2.0 / 3),
    // The same at 50%: tails must exceed 0.25. M=4 has P(X<=1) = 0.2, so it
    // is rejected. M=3: P(X<=1) = (C(3,3) + C(3,1)C(3,2))/20 = 10/20, kept.
    // M=1: P(X>=1) = 0.5, kept. Interval 2/(2+3) = 0.4 to 2/3.
    Case(
      name: "one pick at 50%", picksAbove: 2, below: 6, sample: 3, samplePicks: 1,
      confidence: 0.5, lost: 2, lostRange: 1...3, recall: 0.5, recallLow: 0.4,
      recallHigh: 2.0 / 3),
    // Census: n = N = 4, so M = k = 1 exactly. Recall 3/(3+1) = 0.75.
    Case(
      name: "whole population sampled", picksAbove: 3, below: 4, sample: 4, samplePicks: 1,
      confidence: 0.95, lost: 1, lostRange: 1...1, recall: 0.75, recallLow: 0.75,
      recallHigh: 0.75),
    // Nothing below the cutoff: nothing lost, recall 5/5.
    Case(
      name: "nothing below cutoff", picksAbove: 5, below: 0, sample: 0, samplePicks: 0,
      confidence: 0.95, lost: 0, lostRange: 0...0, recall: 1, recallLow: 1, recallHigh: 1),
    // K=0 with a pick below: recall 0/(0+2) = 0, and both bounds are 0
    // because M_low = 1 > 0.
    Case(
      name: "no pick above cutoff", picksAbove: 0, below: 6, sample: 3, samplePicks: 1,
      confidence: 0.95, lost: 2, lostRange: 1...4, recall: 0, recallLow: 0, recallHigh: 0),
    // K=0 and k=0: recall is 0/0. The low bound 0/(0+7) = 0 carries no
    // information alone, and the high bound 0/(0+0) is undefined, so both are left out.
    Case(
      name: "no picks anywhere", picksAbove: 0, below: 10, sample: 2, samplePicks: 0,
      confidence: 0.95, lost: 0, lostRange: 0...7, recall: nil, recallLow: nil, recallHigh: nil),
    // n=0 below a non-empty cutoff: no estimate at all.
    Case(
      name: "empty sample", picksAbove: 4, below: 10, sample: 0, samplePicks: 0,
      confidence: 0.95, lost: nil, lostRange: nil, recall: nil, recallLow: nil,
      recallHigh: nil),
  ]

  @Test(arguments: cases)
  func recallMatchesHandArithmetic(_ example: Case) {
    let estimate = RecallEstimate(
      picksAboveCutoff: example.picksAbove, papersBelowCutoff: example.below,
      sampleSize: example.sample, samplePicks: example.samplePicks,
      confidenceLevel: example.confidence)
    #expect(estimate.estimatedLostPicks == example.lost)
    #expect(estimate.lostPicksLow == example.lostRange?.lowerBound)
    #expect(estimate.lostPicksHigh == example.lostRange?.upperBound)
    expectClose(estimate.recall, example.recall)
    expectClose(estimate.recallLow, example.recallLow)
    expectClose(estimate.recallHigh, example.recallHigh)
    #expect(estimate.hasEstimate == (example.lost != nil))
  }

  /// Papers above the cutoff without a score may hold picks, so `K` is not
  /// known and recall is left out. The estimate of `M` rests on the audit
  /// alone and stays: 18 * 1 / 5 = 3.6, interval 1 to 11 as in the fixture
  /// night of `DigestTests`.
  @Test(arguments: [1, 2, 106])
  func unscoredAboveCutoffLeavesOutRecall(unscored: Int) {
    let estimate = RecallEstimate(
      picksAboveCutoff: 9, unscoredAboveCutoff: unscored, papersBelowCutoff: 18, sampleSize: 5,
      samplePicks: 1)
    #expect(estimate.estimatedLostPicks == 3.6)
    #expect(estimate.lostPicksLow == 1)
    #expect(estimate.lostPicksHigh == 11)
    #expect(estimate.hasEstimate)
    #expect(estimate.recall == nil)
    #expect(estimate.recallLow == nil)
    #expect(estimate.recallHigh == nil)
    let papers =
      unscored == 1 ? "1 paper above the cutoff has" : "\(unscored) papers above the cutoff have"
    #expect(
      estimate.noRecallReason == "\(papers) no score, so the picks above the cutoff are not known")
  }

  /// With nothing below the cutoff, the cutoff lost nothing, but the papers
  /// above it without a score still leave recall unknown.
  @Test func unscoredWholeNightLeavesOutRecall() {
    let estimate = RecallEstimate(
      picksAboveCutoff: 6, unscoredAboveCutoff: 106, papersBelowCutoff: 0, sampleSize: 0,
      samplePicks: 0)
    #expect(estimate.estimatedLostPicks == 0)
    #expect(estimate.lostPicksLow == 0)
    #expect(estimate.lostPicksHigh == 0)
    #expect(estimate.recall == nil)
    #expect(estimate.recallLow == nil)
    #expect(estimate.recallHigh == nil)
    #expect(estimate.noRecallReason?.hasPrefix("106 papers above the cutoff have no score") == true)
  }

  @Test(
    arguments: [
      (5, 10, 0, 0, "no paper below the cutoff was audited with a score"),
      (0, 10, 2, 0, "no paper above the cutoff or in the audit sample is a pick, so recall is 0/0"),
      (5, 0, 0, 0, nil), (9, 18, 5, 1, nil),
    ] as [(Int, Int, Int, Int, String?)])
  func noRecallReasonNamesCause(
    picksAbove: Int, below: Int, sample: Int, samplePicks: Int, reason: String?
  ) {
    let estimate = RecallEstimate(
      picksAboveCutoff: picksAbove, papersBelowCutoff: below, sampleSize: sample,
      samplePicks: samplePicks)
    #expect(estimate.noRecallReason == reason)
    #expect((estimate.recall == nil) == (reason != nil))
  }

  /// The JSON of a 0/0 recall keeps the counts and the reason and leaves
  /// out `recall`, `recallLow` and `recallHigh`, as README documents.
  @Test func zeroOverZeroRecallOmitsBounds() throws {
    let estimate = RecallEstimate(
      picksAboveCutoff: 0, papersBelowCutoff: 75, sampleSize: 5, samplePicks: 0)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = String(decoding: try encoder.encode(estimate), as: UTF8.self)

    #expect(!json.contains("\"recall"), "json: \(json)")
    #expect(json.contains("\"picksAboveCutoff\":0"), "json: \(json)")
    #expect(json.contains("\"noRecallReason\":\"no paper above the cutoff"), "json: \(json)")
  }

  private func expectClose(_ actual: Double?, _ expected: Double?) {
    guard let expected else {
      #expect(actual == nil)
      return
    }
    guard let actual else {
      Issue.record("expected \(expected), got nil")
      return
    }
    #expect(abs(actual - expected) < 1e-12, "expected \(expected), got \(actual)")
  }

  @Test func hypergeometricMatchesHandValues() {
    // C(3,1) C(3,2) / C(6,3) = 3 * 3 / 20 = 0.45.
    let value = Hypergeometric.probability(
      population: 6, successes: 3, sampleSize: 3, observed: 1)
    #expect(abs(value - 0.45) < 1e-12)
    // With M=4 of 6 only 2 papers are not picks, so a sample of 3 contains a pick.
    let impossible = Hypergeometric.probability(
      population: 6, successes: 4, sampleSize: 3, observed: 0)
    #expect(impossible == 0)
  }

  /// E[N * X / n] = N * (n * M / N) / n = M for every M, summed exactly.
  @Test func lostPicksEstimateIsUnbiased() {
    let population = 20
    let sampleSize = 5
    for successes in 0...population {
      let mean = (0...sampleSize).reduce(0.0) { sum, drawn in
        let probability = Hypergeometric.probability(
          population: population, successes: successes, sampleSize: sampleSize,
          observed: drawn)
        return sum + probability * Double(population * drawn) / Double(sampleSize)
      }
      #expect(abs(mean - Double(successes)) < 1e-9, "M=\(successes): mean \(mean)")
    }
  }

  /// For every true M, the probability that the interval covers M is at least
  /// the confidence level.
  @Test(arguments: [0.8, 0.95])
  func intervalCoversAtLeastConfidence(level: Double) {
    let population = 20
    let sampleSize = 5
    for successes in 0...population {
      var coverage = 0.0
      for drawn in 0...sampleSize {
        let probability = Hypergeometric.probability(
          population: population, successes: successes, sampleSize: sampleSize,
          observed: drawn)
        guard probability > 0 else { continue }
        let estimate = RecallEstimate(
          picksAboveCutoff: 3, papersBelowCutoff: population, sampleSize: sampleSize,
          samplePicks: drawn, confidenceLevel: level)
        if let low = estimate.lostPicksLow, let high = estimate.lostPicksHigh,
          (low...high).contains(successes)
        {
          coverage += probability
        }
      }
      #expect(coverage >= level - 1e-12, "M=\(successes): coverage \(coverage)")
    }
  }

  // MARK: - Real nights

  /// Returns the ids of a benchmark file, whose lines all start with
  /// `{"id": "`. Lines are found with `memchr`, because decoding 36 MB of
  /// JSON takes seconds in a debug build.
  private static func ids(in url: URL) throws -> [String] {
    let prefix = Array(#"{"id": ""#.utf8)
    let data = try Data(contentsOf: url)
    return data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> [String] in
      guard let base = buffer.baseAddress else { return [] }
      var ids: [String] = []
      var start = 0
      while start < buffer.count {
        let rest = buffer.count - start
        var newline = buffer.count
        if let found = memchr(base + start, 0x0A, rest) {
          newline = UnsafeRawPointer(found) - base
        }
        let line = UnsafeRawBufferPointer(rebasing: buffer[start..<newline])
        if line.starts(with: prefix) {
          let id = line.dropFirst(prefix.count).prefix { $0 != UInt8(ascii: "\"") }
          ids.append(String(decoding: id, as: UTF8.self))
        }
        start = newline + 1
      }
      return ids
    }
  }

  /// Runs the audit on the 76 real nights of `Data/benchmark`, with the
  /// ranker's selected papers as the picks, the night in id order as a ranking
  /// unrelated to the picks, the top quarter sent and the default audit size.
  /// The picks below the cutoff are known there, so the interval can be
  /// checked against the truth: an exact 95% interval should cover it on at
  /// least 90% of the nights, a margin for 76 draws.
  @Test func intervalCoversRealNights() throws {
    let folder = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Data/benchmark")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    let days = names.filter { $0.hasSuffix(".papers.jsonl") }.map { String($0.prefix(10)) }.sorted()
    #expect(days.count == 76)

    var covered = 0
    var estimatedLost = 0.0
    var trueLost = 0
    var variance = 0.0
    for day in days {
      let ranking = try Self.ids(in: folder.appendingPathComponent("\(day).papers.jsonl"))
      let picks = Set(try Self.ids(in: folder.appendingPathComponent("\(day).labels.jsonl")))
      let sentCount = (ranking.count + 3) / 4
      let sent = ranking.prefix(sentCount)
      let below = Array(ranking.dropFirst(sentCount))
      let size = RunSettings().auditSampleSize(
        nightPapers: ranking.count, papersBelowCutoff: below.count)
      let sample = AuditSample.draw(from: below, count: size, date: day)

      let estimate = RecallEstimate(
        picksAboveCutoff: sent.filter(picks.contains).count, papersBelowCutoff: below.count,
        sampleSize: sample.count, samplePicks: sample.filter(picks.contains).count)
      let truth = below.filter(picks.contains).count
      if let low = estimate.lostPicksLow, let high = estimate.lostPicksHigh,
        (low...high).contains(truth)
      {
        covered += 1
      }
      estimatedLost += estimate.estimatedLostPicks ?? 0
      trueLost += truth
      variance += Self.lostPicksVariance(
        population: below.count, successes: truth, sampleSize: sample.count)
    }

    #expect(covered >= 69, "interval covered \(covered) of \(days.count) nights")
    // The estimate is unbiased, so the summed estimate over the nights should
    // land within 3 standard deviations of the summed truth.
    let deviation = variance.squareRoot()
    #expect(
      abs(estimatedLost - Double(trueLost)) <= 3 * deviation,
      "estimated \(estimatedLost) lost picks, truth \(trueLost), deviation \(deviation)")
  }

  /// Returns the variance of `N * k / n` when `k` is hypergeometric:
  /// `(N / n)^2 * n * p * (1 - p) * (N - n) / (N - 1)` with `p = M / N`.
  private static func lostPicksVariance(population: Int, successes: Int, sampleSize: Int)
    -> Double
  {
    guard sampleSize > 0, population > 1 else { return 0 }
    let size = Double(population)
    let drawn = Double(sampleSize)
    let share = Double(successes) / size
    let variance = drawn * share * (1 - share) * (size - drawn) / (size - 1)
    return (size / drawn) * (size / drawn) * variance
  }

  @Test(arguments: [0, 3])
  func estimateSurvivesJSONRoundTrip(unscored: Int) throws {
    let estimate = RecallEstimate(
      picksAboveCutoff: 9, unscoredAboveCutoff: unscored, papersBelowCutoff: 18, sampleSize: 5,
      samplePicks: 1)
    let data = try JSONEncoder().encode(estimate)
    #expect(try JSONDecoder().decode(RecallEstimate.self, from: data) == estimate)
  }
}
