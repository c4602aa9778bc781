import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct SimilarityKernelTests {
  /// Random rows scaled to unit length, like embeddings.
  static func random(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var generator = SplitMix64(seed: seed)
    var values = (0..<(rows * columns)).map { _ in Float.random(in: -1...1, using: &generator) }
    for row in 0..<rows {
      let range = (row * columns)..<((row + 1) * columns)
      let norm = values[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
      for index in range { values[index] /= norm }
    }
    return Matrix(rows: rows, columns: columns, values: values)
  }

  @Test(arguments: [(1, 1, 3), (37, 11, 384), (200, 64, 384)])
  func kernelMatchesLoop(papers: Int, profiles: Int, dimension: Int) {
    let a = Self.random(rows: papers, columns: dimension, seed: 1)
    let b = Self.random(rows: profiles, columns: dimension, seed: 2)
    let fast = SimilarityKernel.similarities(papers: a, profiles: b)
    let slow = SimilarityKernel.similaritiesByLoop(papers: a, profiles: b)
    let difference = zip(fast.values, slow.values).map { abs($0 - $1) }.max() ?? 0
    print("kernel \(papers)x\(profiles)x\(dimension): max difference \(difference)")
    #expect(fast.rows == papers)
    #expect(fast.columns == profiles)
    #expect(difference <= 1e-5)
  }

  @Test(arguments: [1, 7, 50, 64, 1000])
  func blocksCoverEveryRow(rowsPerBlock: Int) {
    let a = Self.random(rows: 50, columns: 384, seed: 3)
    let b = Self.random(rows: 9, columns: 384, seed: 4)
    let whole = SimilarityKernel.similarities(papers: a, profiles: b)
    var seen: [Float] = []
    SimilarityKernel.forEachBlock(papers: a, profiles: b, rowsPerBlock: rowsPerBlock) {
      rows, block in
      #expect(rows.lowerBound == seen.count / 9)
      #expect(block.count == rows.count * 9)
      seen += block
    }
    // Blocks of other shapes may take other OpenBLAS kernels: equal up to rounding.
    #expect(seen.count == whole.values.count)
    let difference = zip(seen, whole.values).map { abs($0 - $1) }.max() ?? 0
    #expect(difference <= 1e-6, "largest difference \(difference)")
  }

  @Test func kernelOnUnitVectors() {
    let papers = Matrix(stacking: [[1, 0], [0.6, 0.8]], columns: 2)
    let profiles = Matrix(stacking: [[0, 1], [1, 0]], columns: 2)
    let result = SimilarityKernel.similarities(papers: papers, profiles: profiles)
    #expect(result.values == [0, 1, 0.8, 0.6])
  }

  @Test func emptyProfile() {
    let papers = Matrix(stacking: [[1, 0]], columns: 2)
    let result = SimilarityKernel.similarities(
      papers: papers, profiles: Matrix(rows: 0, columns: 2, values: []))
    #expect(result.rows == 1)
    #expect(result.columns == 0)
  }
}
