import Foundation

@testable import PaperSiftKit

/// Hand-made nights for the recall benchmark's tests.
enum RecallFixtures {
  /// Returns a night ranked by one variant from a pattern such as `"PP..P"`,
  /// where `P` marks a pick. Scores fall by 0.1 from 0.9 unless given;
  /// `relevances` gives the picks' relevance scores in ranking order.
  static func night(
    _ pattern: String, tokens: [Int]? = nil, scores: [Double]? = nil, relevances: [Int] = []
  ) -> RankedNight {
    let marks = Array(pattern)
    var pickIndex = 0
    return RankedNight(
      marks.indices.map { i in
        let isPick = marks[i] == "P"
        let relevance = isPick && pickIndex < relevances.count ? relevances[pickIndex] : nil
        if isPick { pickIndex += 1 }
        return RankedEntry(
          isPick: isPick, score: scores?[i] ?? (0.9 - 0.1 * Double(i)),
          tokens: tokens?[i] ?? 100, relevance: relevance)
      })
  }

  /// Returns a night whose only ranking is `pattern` under `variant`.
  static func day(
    _ date: String, _ pattern: String, variant: String = "v", tokens: [Int]? = nil,
    scores: [Double]? = nil, requestTokens: Int = 50, batchSize: Int = 3
  ) -> RecallDay {
    RecallDay(
      date: date, papers: pattern.count, picks: pattern.filter { $0 == "P" }.count,
      requestTokens: requestTokens, batchSize: batchSize,
      rankings: [variant: night(pattern, tokens: tokens, scores: scores)])
  }

  /// Creates an empty folder under the temporary directory.
  static func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-recall-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// Embeds papers titled `alpha N` along one axis and `beta N` along
/// another, with a small deterministic spread. Any other text, such as a
/// topic, lies on a third axis, orthogonal to every paper.
struct RecallAxisEmbedding: TextEmbedding {
  static let dimension = 384

  func embed(_ texts: [String]) throws -> Matrix {
    Matrix(stacking: texts.map(vector), columns: Self.dimension)
  }

  func vector(_ text: String) -> [Float] {
    var values = [Float](repeating: 0, count: Self.dimension)
    let title = text.split(separator: "\n").first.map(String.init) ?? text
    let parts = title.split(separator: " ")
    guard parts.count == 2, let number = Int(parts[1]), ["alpha", "beta"].contains(parts[0])
    else {
      values[2] = 1
      return values
    }
    values[parts[0] == "alpha" ? 0 : 1] = 1
    values[10 + number % 300] = 0.3
    values[11 + (number * 7) % 300] = 0.2
    let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return values.map { $0 / norm }
  }
}

/// Nights of 20 papers each: 10 `alpha` and 10 `beta`.
enum AxisNights {
  static let topics = """
    1. Gamma
       - Relevant: gamma methods.
       - Irrelevant: nothing.
    """

  /// Writes `topics.md` into `folder` and returns one night per entry of
  /// `pickedAxes`: the axis (`alpha` or `beta`) whose first three papers
  /// the LLM picked that night.
  static func make(folder: URL, pickedAxes: [String]) throws -> [BenchmarkDay] {
    try topics.write(
      to: folder.appendingPathComponent("topics.md"), atomically: true, encoding: .utf8)
    return pickedAxes.enumerated().map { night, axis in
      let date = String(format: "2025-06-%02d", night + 1)
      var papers: [Paper] = []
      for axisName in ["alpha", "beta"] {
        for i in 0..<10 {
          let number = night * 20 + (axisName == "alpha" ? 0 : 10) + i
          papers.append(
            Paper(
              id: "2506.\(String(format: "%05d", number))", title: "\(axisName) \(number)",
              abstract: "An abstract of paper \(number) with some words.", authors: ["A. B."],
              categories: ["cs.LG"], announced: date))
        }
      }
      let picked = papers.filter { $0.title.hasPrefix(axis) }.prefix(3)
      let labels = picked.map { PaperLabel(id: $0.id, relevance: 9, novelty: 8) }
      return BenchmarkDay(date: date, papers: papers, labels: labels, topicsFile: "topics.md")
    }
  }
}
