import COpenBLAS
import Foundation

/// The activations of one batch, allocated once for the largest batch and
/// reused, so that a night of papers needs no allocation per batch.
///
/// Sequences are packed end to end without padding: attention runs on each
/// sequence's own rows, which gives the same result as padding with a mask
/// (masked probabilities are exactly zero in float32) without computing
/// the padded rows.
final class ForwardWorkspace {
  let capacity: Int
  let configuration: BertConfiguration
  /// [N, H]: the hidden states, updated layer by layer.
  let hidden: UnsafeMutablePointer<Float>
  /// [N, H] each: the query, key and value projections.
  let query: UnsafeMutablePointer<Float>
  let key: UnsafeMutablePointer<Float>
  let value: UnsafeMutablePointer<Float>
  /// [N, H]: the attention output before its projection.
  let context: UnsafeMutablePointer<Float>
  /// [N, I]: the feed-forward activations.
  let intermediate: UnsafeMutablePointer<Float>
  /// [L, L] for the longest sequence: one head's attention scores.
  let scores: UnsafeMutablePointer<Float>

  /// Allocates room for `capacity` tokens and sequences up to `maxLength`.
  init(capacity: Int, maxLength: Int, configuration: BertConfiguration) {
    let h = configuration.hiddenSize
    self.capacity = capacity
    self.configuration = configuration
    hidden = .allocate(capacity: capacity * h)
    query = .allocate(capacity: capacity * h)
    key = .allocate(capacity: capacity * h)
    value = .allocate(capacity: capacity * h)
    context = .allocate(capacity: capacity * h)
    intermediate = .allocate(capacity: capacity * configuration.intermediateSize)
    scores = .allocate(capacity: maxLength * maxLength)
  }

  deinit {
    for buffer in [hidden, query, key, value, context, intermediate, scores] {
      buffer.deallocate()
    }
  }
}

extension BertModel {
  /// Runs the encoder on `sequences` (token ids, each at most P long) and
  /// writes the last hidden states to `workspace.hidden` [N, H], sequence
  /// after sequence.
  ///
  /// - Precondition: The sequences hold at most `workspace.capacity` tokens.
  func forward(_ sequences: [[Int32]], workspace: ForwardWorkspace) {
    let h = configuration.hiddenSize
    let n = sequences.reduce(0) { $0 + $1.count }
    precondition(n <= workspace.capacity, "batch of \(n) tokens exceeds the workspace")

    // Embeddings: word + position + token type, then LayerNorm, per sequence.
    var offset = 0
    for ids in sequences {
      embeddings.apply(into: workspace.hidden + offset * h, ids: ids)
      offset += ids.count
    }

    for layer in layers {
      // Self-attention: Q, K, V [N, H], then each sequence attends to itself.
      let projections = layer.attention_self
      projections.query.apply(into: workspace.query, workspace.hidden, rows: n)
      projections.key.apply(into: workspace.key, workspace.hidden, rows: n)
      projections.value.apply(into: workspace.value, workspace.hidden, rows: n)
      offset = 0
      for ids in sequences {
        attend(offset: offset, length: ids.count, workspace: workspace)
        offset += ids.count
      }

      // Attention output: projection, residual, LayerNorm.
      layer.attention_output.apply(hidden: workspace.hidden, workspace.context, rows: n)

      // Feed-forward: [N, H] -> [N, I], exact GELU, -> [N, H], residual, LayerNorm.
      layer.intermediate_dense.apply(into: workspace.intermediate, workspace.hidden, rows: n)
      Activations.gelu(workspace.intermediate, count: n * configuration.intermediateSize)
      layer.output.apply(hidden: workspace.hidden, workspace.intermediate, rows: n)
    }
  }

  /// Computes softmax(Q Kᵀ / √D) V for every head of one sequence of
  /// `length` rows starting at row `offset`, into `workspace.context`.
  private func attend(offset: Int, length: Int, workspace: ForwardWorkspace) {
    let h = configuration.hiddenSize
    let d = configuration.headSize
    let scale = 1 / Float(d).squareRoot()
    let scores = workspace.scores
    for head in 0..<configuration.headCount {
      let column = offset * h + head * d
      // Scores [L, L] = Q_head [L, D] · K_headᵀ [D, L] / √D.
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(length), Int32(length), Int32(d), scale,
        workspace.query + column, Int32(h), workspace.key + column, Int32(h), 0, scores,
        Int32(length))
      // Softmax along each row.
      for row in 0..<length {
        Activations.softmax(scores + row * length, count: length)
      }
      // Context_head [L, D] = probabilities [L, L] · V_head [L, D].
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(length), Int32(d), Int32(length), 1,
        scores, Int32(length), workspace.value + column, Int32(h), 0,
        workspace.context + column, Int32(h))
    }
  }
}

/// Element-wise functions of the forward pass, on 16 lanes at a time.
///
/// `exp` and `erf` are polynomial approximations with float32 accuracy
/// (absolute error about 1e-7 for `erf`, relative error about 1e-7 for
/// `exp`), because calling the C library once per element took a fifth of
/// the forward pass.
enum Activations {
  typealias Vector = SIMD16<Float>

  /// Applies GELU in its exact form, x · Φ(x) = x/2 · (1 + erf(x/√2)), in place.
  static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    let inverseSquareRootTwo: Float = 0.707_106_781_186_547_524
    forEachVector(x, count: count) { value in
      0.5 * value * (1 + erf(value * inverseSquareRootTwo))
    }
  }

  /// Replaces `count` scores by their softmax, in place.
  static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
    // Padding lanes hold -∞, whose exp (flushed to about 1e-38) leaves the sum unchanged.
    var maxima = Vector(repeating: -.infinity)
    forEachVector(x, count: count, padding: -.infinity) { value in
      maxima = pointwiseMax(maxima, value)
      return value
    }
    let maximum = maxima.max()
    var sums = Vector(repeating: 0)
    forEachVector(x, count: count, padding: -.infinity) { value in
      let e = exp(value - maximum)
      sums += e
      return e
    }
    let inverse = 1 / sums.sum()
    forEachVector(x, count: count) { $0 * inverse }
  }

  /// Applies `body` to `count` floats in place, 16 at a time; the last
  /// vector is filled up with `padding` and only its real lanes are stored.
  @inline(__always)
  static func forEachVector(
    _ x: UnsafeMutablePointer<Float>, count: Int, padding: Float = 0,
    _ body: (Vector) -> Vector
  ) {
    let whole = count - count % Vector.scalarCount
    var index = 0
    while index < whole {
      let raw = UnsafeMutableRawPointer(x + index)
      raw.storeBytes(of: body(raw.loadUnaligned(as: Vector.self)), as: Vector.self)
      index += Vector.scalarCount
    }
    guard index < count else { return }
    var tail = Vector(repeating: padding)
    for lane in 0..<(count - index) { tail[lane] = x[index + lane] }
    let result = body(tail)
    for lane in 0..<(count - index) { x[index + lane] = result[lane] }
  }

  /// e^x for x ≤ 88; results under e^-87 are flushed to about 1.6e-38.
  @inline(__always)
  static func exp(_ x: Vector) -> Vector {
    let clamped = x.clamped(lowerBound: Vector(repeating: -87), upperBound: Vector(repeating: 88))
    // x = n·ln 2 + r with integer n and |r| ≤ ln 2 / 2; rounding by adding 1.5·2^23.
    let magic: Float = 12_582_912
    let shifted = clamped * 1.442_695_04 + magic
    let n = shifted - magic
    let r = clamped - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187_045e-06
    // e^r by its Taylor series to degree 7 (truncation error under 1e-8 relative).
    var p = Vector(repeating: 1.0 / 5040)
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    // 2^n from the exponent bits: n sits in the low mantissa bits of `shifted`.
    let shiftedBits = unsafeBitCast(shifted, to: SIMD16<Int32>.self)
    let exponent = (shiftedBits &- Int32(bitPattern: magic.bitPattern)) &+ 127
    let scale = unsafeBitCast(exponent &<< 23, to: Vector.self)
    return p * scale
  }

  /// erf(z) from two Chebyshev fits (|z| ≤ 1 and 1 < |z| < 4) and ±1 beyond.
  @inline(__always)
  static func erf(_ z: Vector) -> Vector {
    let a = z.replacing(with: -z, where: z .< 0)
    // |z| ≤ 1: erf(z) = z · P(2z² - 1).
    let u = 2 * a * a - 1
    var small = Vector(repeating: 1.231_640_172e-06)
    small = small * u - 1.766_908_081e-05
    small = small * u + 2.175_119_898e-04
    small = small * u - 2.285_419_529e-03
    small = small * u + 1.985_249_772e-02
    small = small * u - 1.405_360_973e-01
    small = small * u + 9.654_687_386e-01
    small *= a
    // 1 < |z| < 4: erf(z) = Q((2|z| - 5) / 3).
    let v = (2 * a - 5) / 3
    var large = Vector(repeating: -1.130_018_049e-03)
    large = large * v + 1.851_567_601e-03
    large = large * v + 3.426_099_749e-03
    large = large * v - 1.079_766_058e-02
    large = large * v + 7.483_625_959e-03
    large = large * v + 9.810_791_183e-03
    large = large * v - 3.216_432_598e-02
    large = large * v + 4.632_206_833e-02
    large = large * v - 4.360_219_599e-02
    large = large * v + 2.819_584_552e-02
    large = large * v - 1.225_590_811e-02
    large = large * v + 3.266_968_960e-03
    large = large * v + 9.995_930_794e-01
    var result = small.replacing(with: large, where: a .> 1)
    result.replace(with: 1, where: a .>= 4)
    return result.replacing(with: -result, where: z .< 0)
  }
}
