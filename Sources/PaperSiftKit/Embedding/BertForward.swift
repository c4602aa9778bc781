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
  /// [N, 3H]: the query, key and value projections side by side in each row.
  let projections: UnsafeMutablePointer<Float>
  /// [N, H]: the attention output before its projection.
  let context: UnsafeMutablePointer<Float>
  /// [N, I]: the feed-forward activations.
  let intermediate: UnsafeMutablePointer<Float>
  /// [workers, L, L] for the longest sequence: each attention worker's scores.
  let scores: UnsafeMutablePointer<Float>
  /// Four rows of the widest layer input as bf16 pairs, for bf16 products.
  let pairScratch: UnsafeMutablePointer<UInt32>
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
    projections = .allocate(capacity: capacity * 3 * h)
    context = .allocate(capacity: capacity * h)
    intermediate = .allocate(capacity: capacity * configuration.intermediateSize)
    self.maxLength = maxLength
    self.attentionWorkers = max(1, attentionWorkers)
    scores = .allocate(capacity: self.attentionWorkers * maxLength * maxLength)
    pairScratch = .allocate(
      capacity: 4 * (max(configuration.intermediateSize, configuration.hiddenSize) / 2 + 1))
  }

  deinit {
    for buffer in [hidden, projections, context, intermediate, scores] {
      buffer.deallocate()
    }
    pairScratch.deallocate()
  }
}

extension BertModel {
  /// Runs the encoder on `sequences` (token ids, each at most P long) and
  /// writes the last hidden states to `workspace.hidden` [N, H], sequence
  /// after sequence.
  ///
  /// Attention heads and element-wise passes run on `threads` threads, at
  /// most `workspace.attentionWorkers`; 1 runs the whole pass on the calling
  /// thread, for callers that run several batches side by side.
  ///
  /// - Precondition: The sequences contain at most `workspace.capacity` tokens in all.
  func forward(_ sequences: [[Int32]], workspace: ForwardWorkspace, threads: Int? = nil) {
    let threads = max(1, min(threads ?? workspace.attentionWorkers, workspace.attentionWorkers))
    let h = configuration.hiddenSize
    let n = sequences.reduce(0) { $0 + $1.count }
    precondition(n <= workspace.capacity, "batch of \(n) tokens exceeds the workspace")

    // Embeddings: word + position + token type, then LayerNorm, per sequence.
    var offset = 0
    for ids in sequences {
      embeddings.apply(into: workspace.hidden + offset * h, ids: ids)
      offset += ids.count
    }

    let rowGroups = RowGroups(count: threads)
    let i = configuration.intermediateSize
    for layer in layers {
      // Self-attention: Q, K, V side by side [N, 3H], then each sequence attends to itself.
      let stacked = layer.attention_self.stacked
      stacked.multiply(
        into: workspace.projections, workspace.hidden, rows: n, scratch: workspace.pairScratch)
      rowGroups.forEach(n) { range in
        papersift_add_bias(
          workspace.projections + range.lowerBound * 3 * h, stacked.bias, range.count, 3 * h)
      }
      attendAll(sequences, workspace: workspace, workers: threads)

      // Attention output: projection, residual, LayerNorm. The projections
      // are spent, so their buffer receives the product.
      layer.attention_output.apply(
        hidden: workspace.hidden, workspace.context, scratch: workspace.projections, rows: n,
        rowGroups: rowGroups, pairScratch: workspace.pairScratch)

      // Feed-forward: [N, H] -> [N, I], exact GELU, -> [N, H], residual, LayerNorm.
      let dense = layer.intermediate_dense
      dense.multiply(
        into: workspace.intermediate, workspace.hidden, rows: n, scratch: workspace.pairScratch)
      rowGroups.forEach(n) { range in
        papersift_bias_gelu(
          workspace.intermediate + range.lowerBound * i, dense.bias, range.count, i)
      }
      layer.output.apply(
        hidden: workspace.hidden, workspace.intermediate, scratch: workspace.projections, rows: n,
        rowGroups: rowGroups, pairScratch: workspace.pairScratch)
    }
  }

  /// Computes attention for every sequence and head, spreading the heads
  /// over `workers` threads.
  private func attendAll(_ sequences: [[Int32]], workspace: ForwardWorkspace, workers: Int) {
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
    // NOTE: The OpenBLAS thread count is process-wide, so two encoders
    // running batches at the same time would race on it.
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
    let stride = 3 * h
    let query = workspace.projections + offset * stride + head * d
    let key = query + h
    let value = query + 2 * h
    // Scores [L, L] = Q_head [L, D] · K_headᵀ [D, L] / √D.
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasTrans, Int32(length), Int32(length), Int32(d), scale,
      query, Int32(stride), key, Int32(stride), 0, scores, Int32(length))
    // Softmax along each row.
    Activations.softmax(scores, rows: length, columns: length)
    // Context_head [L, D] = probabilities [L, L] · V_head [L, D].
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(length), Int32(d), Int32(length), 1,
      scores, Int32(length), value, Int32(stride), 0,
      workspace.context + offset * h + head * d, Int32(h))
  }
}

/// Splits the rows of an element-wise pass into `count` contiguous groups
/// that run on their own threads, as the matrix products do on OpenBLAS's.
struct RowGroups {
  let count: Int

  /// Calls `body` once per group with its rows of `0..<rows`.
  ///
  /// Groups have at least 64 rows, because a thread costs more than it saves on fewer.
  func forEach(_ rows: Int, _ body: (Range<Int>) -> Void) {
    let groups = max(1, min(count, rows / 64))
    guard groups > 1 else {
      body(0..<rows)
      return
    }
    withoutActuallyEscaping(body) { body in
      // The groups touch disjoint rows, so running `body` on them at once is safe.
      nonisolated(unsafe) let body = body
      DispatchQueue.concurrentPerform(iterations: groups) { group in
        body((rows * group / groups)..<(rows * (group + 1) / groups))
      }
    }
  }
}

/// Element-wise functions of the forward pass, in C so that they vectorise.
enum Activations {
  /// Replaces each of `rows` rows of `columns` scores by its softmax, in place.
  static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    papersift_softmax_rows(x, rows, columns)
  }
}
