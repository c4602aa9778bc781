import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct TfidfNeighboursTests {
  /// Unit rows in three columns: positives (1, 0, 0) and (0, 1, 0),
  /// negatives (0.6, 0.8, 0) and (0, 0, 1).
  static let rows = [
    SparseVector(indices: [0], values: [1]),
    SparseVector(indices: [1], values: [1]),
    SparseVector(indices: [0, 1], values: [0.6, 0.8]),
    SparseVector(indices: [2], values: [1]),
  ]
  static let labels = [true, true, false, false]

  @Test func contrastOnHandComputedCase() {
    let model = TfidfNeighbours(
      rows: Self.rows, labels: Self.labels, dimension: 3, positiveNeighbours: 1,
      negativeNeighbours: 2)
    // Query (0.8, 0.6, 0): cosines 0.8 and 0.6 to the positives, 0.96 and 0
    // to the negatives. Best positive 0.8, mean of both negatives 0.48:
    // 0.8 - 0.48 = 0.32.
    // Query (0, 0, 1): positives 0 and 0, negatives 0 and 1: 0 - 0.5 = -0.5.
    let scores = model.scores([
      SparseVector(indices: [0, 1], values: [0.8, 0.6]),
      SparseVector(indices: [2], values: [1]),
    ])
    #expect(scores.count == 2)
    #expect(abs(scores[0] - 0.32) < 1e-6)
    #expect(abs(scores[1] + 0.5) < 1e-6)
  }

  @Test func smallClassAveragesWhatItHas() {
    let model = TfidfNeighbours(
      rows: Self.rows, labels: Self.labels, dimension: 3, positiveNeighbours: 5,
      negativeNeighbours: 1)
    // Query (0.8, 0.6, 0): both positives (0.8 + 0.6) / 2 = 0.7, best negative
    // 0.96: 0.7 - 0.96 = -0.26.
    let scores = model.scores([SparseVector(indices: [0, 1], values: [0.8, 0.6])])
    #expect(abs(scores[0] + 0.26) < 1e-6)
  }

  @Test func matchesSortedDotProducts() {
    var generator = SplitMix64(seed: 11)
    let dimension = 40
    func randomRow() -> SparseVector {
      let columns = (0..<dimension).filter { _ in Double.random(in: 0..<1, using: &generator) < 0.2
      }
      let values = columns.map { _ in Float.random(in: 0.1...1, using: &generator) }
      return SparseVector(indices: columns.map { Int32($0) }, values: values)
    }
    let training = (0..<200).map { _ in randomRow() }
    let labels = (0..<200).map { _ in Double.random(in: 0..<1, using: &generator) < 0.2 }
    let queries = (0..<20).map { _ in randomRow() }
    let model = TfidfNeighbours(
      rows: training, labels: labels, dimension: dimension, positiveNeighbours: 7,
      negativeNeighbours: 15)
    let scores = model.scores(queries)

    var largest: Float = 0
    for (query, score) in zip(queries, scores) {
      var dense = [Float](repeating: 0, count: dimension)
      for (column, value) in zip(query.indices, query.values) { dense[Int(column)] = value }
      let similarities = training.map { $0.dot(dense) }
      func topMean(_ positive: Bool, _ count: Int) -> Float {
        let top = zip(similarities, labels).filter { $0.1 == positive }.map(\.0)
          .sorted(by: >).prefix(count)
        return top.reduce(0, +) / Float(top.count)
      }
      let expected = topMean(true, 7) - topMean(false, 15)
      largest = max(largest, abs(score - expected))
    }
    #expect(largest <= 1e-5, "largest difference \(largest)")
  }

  @Test func emptyQueryScoresZero() {
    let model = TfidfNeighbours(
      rows: Self.rows, labels: Self.labels, dimension: 3, positiveNeighbours: 2,
      negativeNeighbours: 2)
    #expect(model.scores([SparseVector(indices: [], values: [])]) == [0])
  }

  @Test func trainingBuildsNeighboursAndAuthors() {
    let papers = (0..<6).map { i in
      Paper(
        id: "2501.0000\(i)", title: "Paper \(i)", abstract: "Words of paper \(i)",
        authors: i < 2 ? ["Ada Lovelace", "Alan Turing"] : ["Grace Hopper"], categories: [])
    }
    let set = TrainingSet(
      papers: papers,
      embeddings: Matrix(rows: 6, columns: 2, values: [Float](repeating: 0.5, count: 12)),
      labels: [true, true, false, false, false, false])
    let models = LearnedModels.train(
      set, parameters: ModelParameters(),
      weights: RankerWeights(profile: 0, logistic: 0, tfidf: 0, neighbours: 1, authorOverlap: 0.3))
    #expect(models.neighbours != nil)
    #expect(models.vectorizer != nil)
    #expect(models.tfidf == nil)
    #expect(models.logistic == nil)
    #expect(models.positiveAuthors == ["ada lovelace", "alan turing"])
  }
}
