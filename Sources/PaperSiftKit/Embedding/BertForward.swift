import CEncoderKernels
import COpenBLAS
import Foundation

/// The activations of one batch, allocated once for the largest batch and
/// reused, so that a night of papers needs no allocation per batch.
///
/// Sequences are packed end to end without padding: attention runs on each
/// sequence's own rows, which gives the same result as padding with a mask
/// (masked probabilities are exactly zero in float32) without computing
/// the padded rows.
// Attention workers share the workspace but write disjoint head columns of
// `context` and their own slice of `scores`.
final class ForwardWorkspace: @unchecked Sendable {
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
  /// [workers, L, L] for the longest sequence: each attention worker's scores.
  let scores: UnsafeMutablePointer<Float>
  let maxLength: Int
  /// Threads that compute attention heads side by side, each running
  /// single-threaded sgemm: the per-head products are too small for
  /// OpenBLAS's own threads to pay off.
  let attentionWorkers: Int

  /// Allocates room for `capacity` tokens and sequences up to `maxLength`.
  init(capacity: Int, maxLength: Int, configuration: BertConfiguration, attentionWorkers: Int) {
    let h = configuration.hiddenSize
    self.capacity = capacity
    self.configuration = configuration
    hidden = .allocate(capacity: capacity * h)
    query = .allocate(capacity: capacity * h)
    key = .allocate(capacity: capacity * h)
    value = .allocate(capacity: capacity * h)
    context = .allocate(capacity: capacity * h)
    intermediate = .allocate(capacity: capacity * configuration.intermediateSize)
    self.maxLength = maxLength
    self.attentionWorkers = max(1, attentionWorkers)
    scores = .allocate(capacity: self.attentionWorkers * maxLength * maxLength)
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
      attendAll(sequences, workspace: workspace)

      // Attention output: projection, residual, LayerNorm.
      layer.attention_output.apply(hidden: workspace.hidden, workspace.context, rows: n)

      // Feed-forward: [N, H] -> [N, I], exact GELU, -> [N, H], residual, LayerNorm.
      layer.intermediate_dense.apply(into: workspace.intermediate, workspace.hidden, rows: n)
      Activations.gelu(workspace.intermediate, count: n * configuration.intermediateSize)
      layer.output.apply(hidden: workspace.hidden, workspace.intermediate, rows: n)
    }
  }

  /// Computes attention for every sequence and head, spreading the heads
  /// over `workspace.attentionWorkers` threads.
  private func attendAll(_ sequences: [[Int32]], workspace: ForwardWorkspace) {
    let workers = workspace.attentionWorkers
    let heads = configuration.headCount
    guard workers > 1 else {
      var offset = 0
      for ids in sequences {
        for head in 0..<heads {
          attend(head: head, offset: offset, length: ids.count, scores: workspace.scores, workspace)
        }
        offset += ids.count
      }
      return
    }
    let blasThreads = openblas_get_num_threads()
    openblas_set_num_threads(1)
    defer { openblas_set_num_threads(blasThreads) }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let scores = workspace.scores + worker * workspace.maxLength * workspace.maxLength
      var offset = 0
      for ids in sequences {
        for head in stride(from: worker, to: heads, by: workers) {
          attend(head: head, offset: offset, length: ids.count, scores: scores, workspace)
        }
        offset += ids.count
      }
    }
  }

  /// Computes softmax(Q Kᵀ / √D) V for one head of one sequence of `length`
  /// rows starting at row `offset`, into `workspace.context`.
  private func attend(
    head: Int, offset: Int, length: Int, scores: UnsafeMutablePointer<Float>,
    _ workspace: ForwardWorkspace
  ) {
    let h = configuration.hiddenSize
    let d = configuration.headSize
    let scale = 1 / Float(d).squareRoot()
    let column = offset * h + head * d
    // Scores [L, L] = Q_head [L, D] · K_headᵀ [D, L] / √D.
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasTrans, Int32(length), Int32(length), Int32(d), scale,
      workspace.query + column, Int32(h), workspace.key + column, Int32(h), 0, scores,
      Int32(length))
    // Softmax along each row.
    Activations.softmax(scores, rows: length, columns: length)
    // Context_head [L, D] = probabilities [L, L] · V_head [L, D].
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(length), Int32(d), Int32(length), 1,
      scores, Int32(length), workspace.value + column, Int32(h), 0,
      workspace.context + column, Int32(h))
  }
}

/// Element-wise functions of the forward pass, in C so that they vectorise.
enum Activations {
  /// Applies GELU in its exact form, x · Φ(x) = x/2 · (1 + erf(x/√2)), in place.
  static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    papersift_gelu(x, count)
  }

  /// Replaces each of `rows` rows of `columns` scores by its softmax, in place.
  static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    papersift_softmax_rows(x, rows, columns)
  }
}
