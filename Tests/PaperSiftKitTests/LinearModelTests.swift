import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct LinearModelTests {
  /// Points on either side of the plane x₀ + x₁ = 0.3, with a margin of 0.1.
  static func separable(count: Int) -> (Matrix, [Bool]) {
    var generator = SplitMix64(seed: 7)
    var values: [Float] = []
    var labels: [Bool] = []
    while labels.count < count {
      let point = (0..<4).map { _ in Float.random(in: -1...1, using: &generator) }
      let side = point[0] + point[1] - 0.3
      guard abs(side) > 0.1 else { continue }
      values += point
      labels.append(side > 0)
    }
    return (Matrix(rows: count, columns: 4, values: values), labels)
  }

  @Test func logisticSeparatesTrainingSet() {
    let (features, labels) = Self.separable(count: 300)
    let model = LogisticRegression.fit(features: features, labels: labels, l2: 1e-3, iterations: 20)
    let predicted = model.scores(features).map { $0 > 0 }
    #expect(predicted == labels)
    #expect(model.weights[0] > 0)
    #expect(abs(model.weights[2]) < abs(model.weights[0]) / 4)
  }

  @Test func svmSeparatesTrainingSet() {
    let (features, labels) = Self.separable(count: 300)
    let sparse = (0..<features.rows).map { row in
      SparseVector(indices: [0, 1, 2, 3], values: Array(features.row(row)))
    }
    let model = LinearSVM.fit(
      features: sparse, labels: labels, dimension: 4, c: 100, tolerance: 1e-3, maxPasses: 2000)
    let predicted = model.scores(sparse).map { $0 > 0 }
    #expect(predicted == labels)
  }

  @Test func choleskySolvesSystem() throws {
    // [[4, 2], [2, 3]] x = [2, 1] has x = [0.5, 0].
    let solution = try #require(CholeskySolver.solve([4, 2, 2, 3], size: 2, rightHandSide: [2, 1]))
    #expect(abs(solution[0] - 0.5) < 1e-12)
    #expect(abs(solution[1]) < 1e-12)
  }

  @Test func choleskyRejectsIndefinite() {
    #expect(CholeskySolver.solve([1, 2, 2, 1], size: 2, rightHandSide: [1, 1]) == nil)
  }

  @Test func tfidfTokensAndPairs() {
    let paper = Paper(
      id: "1", title: "Sparse Attention", abstract: "of the 3D models", authors: ["A B"],
      categories: ["cs.LG"])
    let terms = TfidfVectorizer.terms(of: paper, options: .init(categories: true, authors: true))
    #expect(
      terms == [
        "sparse", "attention", "models", "sparse attention", "attention models", "category:cs.LG",
        "author:a b",
      ])
  }

  @Test func tfidfRowsAreUnitLength() {
    let papers = (0..<20).map { index in
      Paper(
        id: "\(index)", title: "alpha beta", abstract: index % 2 == 0 ? "gamma" : "delta",
        authors: [], categories: [])
    }
    let vectorizer = TfidfVectorizer(
      fitting: papers, options: .init(minDocumentFrequency: 1, maxDocumentShare: 0.6))
    // alpha, beta and "alpha beta" appear everywhere and exceed the 60% share.
    #expect(vectorizer.vocabulary.keys.sorted() == ["beta gamma", "delta", "gamma", "beta delta"].sorted())
    let row = vectorizer.transform(papers[0])
    #expect(abs(row.values.reduce(0) { $0 + $1 * $1 } - 1) < 1e-6)
    #expect(row.indices.count == 2)
  }
}
