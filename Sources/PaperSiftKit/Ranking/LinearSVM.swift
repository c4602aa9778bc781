import Foundation

/// A sparse feature vector: sorted column indices and their values.
public struct SparseVector: Sendable, Equatable {
  public var indices: [Int32]
  public var values: [Float]

  public init(indices: [Int32], values: [Float]) {
    self.indices = indices
    self.values = values
  }

  public func dot(_ dense: [Float]) -> Float {
    var sum: Float = 0
    for (index, value) in zip(indices, values) { sum += value * dense[Int(index)] }
    return sum
  }
}

/// A linear SVM (hinge loss, L2 penalty) on sparse features, fitted by dual
/// coordinate descent.
///
/// The solver follows Hsieh et al., "A Dual Coordinate Descent Method for
/// Large-scale Linear SVM" (ICML 2008), the method of LIBLINEAR's default
/// solver: one pass updates each dual variable in turn and keeps `w` in step.
/// A constant feature of 1 gives the bias, penalised like the weights, as in
/// LIBLINEAR with `-B 1`.
public struct LinearSVM: Sendable, Equatable {
  public var weights: [Float]
  public var bias: Float
  /// The passes over the data the fit took; `maxPasses` when it stopped early.
  public var passes: Int

  public init(weights: [Float], bias: Float, passes: Int = 0) {
    self.weights = weights
    self.bias = bias
    self.passes = passes
  }

  /// Fits on `features` (columns `0..<dimension`) with `labels[i]` true for positives.
  ///
  /// `c` is the penalty on each margin violation; with `balanced`, each
  /// class's `c` is scaled by `n / (2 · class count)`. The fit stops when the
  /// gap between the largest and smallest projected gradient of a pass is
  /// below `tolerance`, or after `maxPasses` passes.
  public static func fit(
    features: [SparseVector], labels: [Bool], dimension: Int, c: Double, balanced: Bool = true,
    tolerance: Float = 0.1, maxPasses: Int = 200
  ) -> LinearSVM {
    precondition(features.count == labels.count, "One label per row")
    let n = features.count
    let positives = labels.filter { $0 }.count
    let bounds: [Float] = labels.map { positive in
      guard balanced, positives > 0, positives < n else { return Float(c) }
      return Float(c * Double(n) / (2 * Double(positive ? positives : n - positives)))
    }
    let diagonal = features.map { row in row.values.reduce(1) { $0 + $1 * $1 } }
    var w = [Float](repeating: 0, count: dimension)
    var b: Float = 0
    var alpha = [Float](repeating: 0, count: n)
    var order = Array(0..<n)
    var generator = SplitMix64(seed: 0x5eed)

    var passes = 0
    while passes < maxPasses {
      passes += 1
      order.shuffle(using: &generator)
      var largest = -Float.infinity
      var smallest = Float.infinity
      for i in order {
        let y: Float = labels[i] ? 1 : -1
        let gradient = y * (features[i].dot(w) + b) - 1
        var projected = gradient
        if alpha[i] == 0 {
          projected = min(gradient, 0)
        } else if alpha[i] == bounds[i] {
          projected = max(gradient, 0)
        }
        largest = max(largest, projected)
        smallest = min(smallest, projected)
        guard projected != 0 else { continue }
        let old = alpha[i]
        alpha[i] = min(max(old - gradient / diagonal[i], 0), bounds[i])
        let change = (alpha[i] - old) * y
        for (index, value) in zip(features[i].indices, features[i].values) {
          w[Int(index)] += change * value
        }
        b += change
      }
      if largest - smallest < tolerance { break }
    }
    return LinearSVM(weights: w, bias: b, passes: passes)
  }

  /// Returns the signed distance `w·x + b` for each row.
  public func scores(_ features: [SparseVector]) -> [Float] {
    features.map { $0.dot(weights) + bias }
  }
}

/// A small deterministic generator, so that fits and tests repeat exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
