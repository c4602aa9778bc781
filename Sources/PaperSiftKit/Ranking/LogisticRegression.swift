import COpenBLAS
import Foundation

/// L2-regularised logistic regression on dense features, fitted by Newton's
/// method with the Hessian built by one BLAS product per step.
///
/// Minimises `Σ cᵢ log(1 + exp(-yᵢ(w·xᵢ + b))) + l2/2 ‖w‖²`, the bias
/// unpenalised, where `cᵢ` weighs each class by `n / (2 · class count)` when
/// `balanced` is set so that a few positives among many negatives still count.
public struct LogisticRegression: Sendable, Equatable {
  public var weights: [Float]
  public var bias: Float

  public init(weights: [Float], bias: Float) {
    self.weights = weights
    self.bias = bias
  }

  /// Fits the model; `labels[i]` is true for a positive row of `features`.
  ///
  /// Each step solves the `(d+1) x (d+1)` Newton system by Cholesky
  /// factorisation, so the cost is `n·d²` per step and `iterations` steps
  /// (5 to 10 reach a gradient norm near 1e-4 on embeddings) are enough.
  public static func fit(
    features: Matrix, labels: [Bool], l2: Double, balanced: Bool = true, iterations: Int = 8
  ) -> LogisticRegression {
    precondition(features.rows == labels.count, "One label per row")
    let n = features.rows
    let d = features.columns
    let width = d + 1
    var augmented = [Float](repeating: 1, count: n * width)
    for i in 0..<n {
      for k in 0..<d { augmented[i * width + k] = features.values[i * d + k] }
    }
    let positives = labels.filter { $0 }.count
    let classWeight: (Bool) -> Double = { positive in
      guard balanced, positives > 0, positives < n else { return 1 }
      return Double(n) / (2 * Double(positive ? positives : n - positives))
    }
    var w = [Double](repeating: 0, count: width)

    for _ in 0..<iterations {
      let margins = product(augmented, rows: n, columns: width, vector: w.map { Float($0) })
      var gradientWeights = [Float](repeating: 0, count: n)
      var scaled = augmented
      for i in 0..<n {
        let p = 1 / (1 + exp(-Double(margins[i])))
        let c = classWeight(labels[i])
        gradientWeights[i] = Float(c * (p - (labels[i] ? 1 : 0)))
        let curvature = Float((c * p * (1 - p)).squareRoot())
        for k in 0..<width { scaled[i * width + k] *= curvature }
      }
      var gradient = transposeProduct(augmented, rows: n, columns: width, vector: gradientWeights)
        .map { Double($0) }
      var hessian = gram(scaled, rows: n, columns: width).map { Double($0) }
      for k in 0..<d {
        gradient[k] += l2 * w[k]
        hessian[k * width + k] += l2
      }
      hessian[d * width + d] += 1e-6
      guard let step = CholeskySolver.solve(hessian, size: width, rightHandSide: gradient) else {
        break
      }
      for k in 0..<width { w[k] -= step[k] }
      if step.map({ abs($0) }).max() ?? 0 < 1e-6 { break }
    }
    return LogisticRegression(weights: w.prefix(d).map { Float($0) }, bias: Float(w[d]))
  }

  /// Returns `w·x + b` for each row, the log-odds of being a positive.
  public func scores(_ features: Matrix) -> [Float] {
    precondition(features.columns == weights.count, "Feature width differs from the model")
    var result = product(
      features.values, rows: features.rows, columns: features.columns, vector: weights)
    for i in result.indices { result[i] += bias }
    return result
  }
}

/// `A x` for row-major `A`.
func product(_ a: [Float], rows: Int, columns: Int, vector: [Float]) -> [Float] {
  var result = [Float](repeating: 0, count: rows)
  guard rows > 0, columns > 0 else { return result }
  cblas_sgemv(
    CblasRowMajor, CblasNoTrans, Int32(rows), Int32(columns), 1, a, Int32(columns), vector, 1, 0,
    &result, 1)
  return result
}

/// `Aᵀ x` for row-major `A`.
func transposeProduct(_ a: [Float], rows: Int, columns: Int, vector: [Float]) -> [Float] {
  var result = [Float](repeating: 0, count: columns)
  guard rows > 0, columns > 0 else { return result }
  cblas_sgemv(
    CblasRowMajor, CblasTrans, Int32(rows), Int32(columns), 1, a, Int32(columns), vector, 1, 0,
    &result, 1)
  return result
}

/// `Aᵀ A` for row-major `A`, a full symmetric `columns x columns` matrix.
func gram(_ a: [Float], rows: Int, columns: Int) -> [Float] {
  var result = [Float](repeating: 0, count: columns * columns)
  guard rows > 0, columns > 0 else { return result }
  cblas_sgemm(
    CblasRowMajor, CblasTrans, CblasNoTrans, Int32(columns), Int32(columns), Int32(rows), 1, a,
    Int32(columns), a, Int32(columns), 0, &result, Int32(columns))
  return result
}

/// Solves a symmetric positive-definite system by Cholesky factorisation.
enum CholeskySolver {
  /// Returns `x` with `A x = b`, or nil when `A` is not positive definite.
  static func solve(_ matrix: [Double], size n: Int, rightHandSide b: [Double]) -> [Double]? {
    var l = matrix
    for j in 0..<n {
      var diagonal = l[j * n + j]
      for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
      guard diagonal > 0 else { return nil }
      let pivot = diagonal.squareRoot()
      l[j * n + j] = pivot
      for i in (j + 1)..<max(n, j + 1) {
        var sum = l[i * n + j]
        for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
        l[i * n + j] = sum / pivot
      }
    }
    var y = b
    for i in 0..<n {
      for k in 0..<i { y[i] -= l[i * n + k] * y[k] }
      y[i] /= l[i * n + i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      for k in (i + 1)..<max(n, i + 1) { y[i] -= l[k * n + i] * y[k] }
      y[i] /= l[i * n + i]
    }
    return y
  }
}
