import COpenBLAS
import Foundation

/// A sentence-transformers BERT model run in-process on OpenBLAS.
///
/// Texts are tokenized, sorted by length and cut into batches of similar
/// length, so that the matrix products of a batch go through `cblas_sgemm`
/// with few wasted rows. The batch composition changes no vector beyond
/// float rounding.
///
/// With `threads` above 1 and at least that many batches, the batches run
/// side by side, longest first, one thread each with single-threaded
/// OpenBLAS. The threads then synchronise only at the end of the call, and
/// no OpenBLAS worker thread competes with the attention and element-wise
/// passes. A single batch uses all threads inside its products.
public final class NativeSentenceEncoder: SentenceEncoder, @unchecked Sendable {
  public let folder: ModelFolder
  public let tokenizer: WordPieceTokenizer
  public let modelID: String
  public var dimension: Int { folder.configuration.hiddenSize }
  /// The largest number of texts in one forward pass.
  public let batchSize: Int
  let model: BertModel
  /// The precision the linear layers run in.
  public var precision: EncoderPrecision { model.precision }
  /// Threads of one `embed` call.
  public let threads: Int
  /// The first workspace also serves single batches with `threads` attention workers.
  private var workspaces: [ForwardWorkspace]
  private let lock = NSLock()

  /// Loads the checkpoint in `directory`.
  ///
  /// - Parameters:
  ///   - directory: The checkpoint folder.
  ///   - threads: OpenBLAS threads for the whole process; 0 keeps OpenBLAS's choice.
  ///   - batchSize: Texts per forward pass; the workspace has room for `batchSize`
  ///     times the maximum length in tokens.
  ///   - precision: `bf16` runs the linear layers in bfloat16 where the CPU
  ///     has AVX-512 BF16, and falls back to `fp32` elsewhere. ``precision``
  ///     returns the one that runs. The model id contains it, so that cached
  ///     vectors of one precision are not taken for the other's. The id also
  ///     contains the weights' ``SafeTensorsFile/fingerprint``, so that a new
  ///     checkpoint in the same folder embeds again.
  /// - Throws: ``PaperSiftError`` (code `model`) naming a missing or corrupt
  ///   file or tensor and the fix.
  public init(
    directory: URL, threads: Int = 0, batchSize: Int = 8, precision: EncoderPrecision = .fp32
  ) throws {
    folder = try ModelFolder(url: directory)
    tokenizer = try WordPieceTokenizer(vocabularyFile: folder.vocabularyURL)
    guard tokenizer.vocabularySize == folder.configuration.vocabularySize else {
      throw PaperSiftError(
        .model,
        "The vocabulary '\(folder.vocabularyURL.path)' has \(tokenizer.vocabularySize) tokens "
          + "but config.json says vocab_size \(folder.configuration.vocabularySize). "
          + "Run scripts/install-model to install the model again.")
    }
    let file = try SafeTensorsFile(url: folder.weightsURL)
    model = try BertModel(file: file, configuration: folder.configuration, precision: precision)
    modelID = Self.modelID(
      directory: directory, fingerprint: file.fingerprint, precision: model.precision)
    self.batchSize = max(1, batchSize)
    self.threads = max(1, threads > 0 ? threads : Int(openblas_get_num_threads()))
    workspaces = [
      ForwardWorkspace(
        capacity: self.batchSize * folder.maxLength, maxLength: folder.maxLength,
        configuration: folder.configuration, attentionWorkers: self.threads)
    ]
    if threads > 0 { openblas_set_num_threads(Int32(threads)) }
  }

  /// Returns the token ids of `text` as the model receives them, `[CLS]` and `[SEP]` included.
  public func tokenize(_ text: String) -> [Int32] {
    tokenizer.encode(text, maxLength: folder.maxLength)
  }

  public func embed(_ texts: [String]) throws -> [[Float]] {
    try embed(tokenized: texts.map(tokenize))
  }

  /// Returns one vector per token sequence, in order.
  ///
  /// - Throws: ``PaperSiftError`` when a sequence is empty, longer than the
  ///   maximum length, or contains an id outside the vocabulary.
  public func embed(tokenized sequences: [[Int32]]) throws -> [[Float]] {
    for ids in sequences {
      guard !ids.isEmpty, ids.count <= folder.maxLength else {
        throw PaperSiftError(
          .invalidInput,
          "A token sequence of length \(ids.count) is outside 1...\(folder.maxLength).")
      }
      let vocabularySize = folder.configuration.vocabularySize
      if let id = ids.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
        throw PaperSiftError(
          .invalidInput,
          "Invalid token id \(id): the vocabulary has ids 0...\(vocabularySize - 1).")
      }
    }
    let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
    var result = [[Float]](repeating: [], count: sequences.count)

    let batches = stride(from: 0, to: order.count, by: batchSize).map { start in
      Array(order[start..<min(start + batchSize, order.count)])
    }

    lock.lock()
    defer { lock.unlock() }
    guard threads > 1, batches.count >= threads else {
      for batch in batches {
        let vectors = run(batch.map { sequences[$0] }, workspace: workspaces[0], threads: threads)
        for (index, vector) in zip(batch, vectors) { result[index] = vector }
      }
      return result
    }
    return runSideBySide(batches.reversed(), sequences: sequences, into: result)
  }

  /// Runs `batches` (longest first) on `threads` threads, each taking the
  /// next batch when it is done, and fills `result`.
  private func runSideBySide(
    _ batches: [[Int]], sequences: [[Int32]], into result: [[Float]]
  ) -> [[Float]] {
    while workspaces.count < threads {
      workspaces.append(
        ForwardWorkspace(
          capacity: batchSize * folder.maxLength, maxLength: folder.maxLength,
          configuration: folder.configuration, attentionWorkers: 1))
    }
    // NOTE: The OpenBLAS thread count is process-wide, so two encoders
    // running batches at the same time would race on it.
    let blasThreads = openblas_get_num_threads()
    openblas_set_num_threads(1)
    defer { openblas_set_num_threads(blasThreads) }

    let queue = BatchQueue(batches: batches, result: result)
    let workspaces = self.workspaces
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      while let batch = queue.next() {
        let vectors = run(batch.map { sequences[$0] }, workspace: workspaces[worker], threads: 1)
        queue.store(vectors, for: batch)
      }
    }
    return queue.result
  }

  /// Returns the number of floating-point operations of the forward pass over
  /// sequences of these lengths: matrix products only, counting a
  /// multiply-add as two.
  public func forwardFLOPs(lengths: [Int]) -> Double {
    let c = folder.configuration
    let h = Double(c.hiddenSize)
    let i = Double(c.intermediateSize)
    var total = 0.0
    for length in lengths {
      let l = Double(length)
      let projections = 2 * l * h * (4 * h + 2 * i)
      let attention = 2 * 2 * l * l * h
      total += Double(c.layerCount) * (projections + attention)
    }
    return total
  }

  /// Runs one batch and pools each sequence into one vector.
  private func run(_ sequences: [[Int32]], workspace: ForwardWorkspace, threads: Int)
    -> [[Float]]
  {
    model.forward(sequences, workspace: workspace, threads: threads)
    let h = dimension
    var vectors: [[Float]] = []
    vectors.reserveCapacity(sequences.count)
    var offset = 0
    for ids in sequences {
      var vector = [Float](repeating: 0, count: h)
      let rows = workspace.hidden + offset * h
      switch folder.pooling {
      case .mean:
        for row in 0..<ids.count {
          for i in 0..<h { vector[i] += rows[row * h + i] }
        }
        let inverse = 1 / Float(ids.count)
        for i in 0..<h { vector[i] *= inverse }
      case .cls:
        for i in 0..<h { vector[i] = rows[i] }
      }
      if folder.normalizes {
        var squares: Float = 0
        for value in vector { squares += value * value }
        // sentence-transformers divides by max(norm, 1e-12).
        let inverse = 1 / max(squares.squareRoot(), 1e-12)
        for i in 0..<h { vector[i] *= inverse }
      }
      vectors.append(vector)
      offset += ids.count
    }
    return vectors
  }
}

/// Hands out batches to the threads of ``NativeSentenceEncoder`` and collects their vectors.
private final class BatchQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var batches: [[Int]]
  private var position = 0
  private(set) var result: [[Float]]

  init(batches: [[Int]], result: [[Float]]) {
    self.batches = batches
    self.result = result
  }

  /// Returns the next batch's sequence indices, or nil when all are taken.
  func next() -> [Int]? {
    lock.withLock {
      guard position < batches.count else { return nil }
      defer { position += 1 }
      return batches[position]
    }
  }

  func store(_ vectors: [[Float]], for batch: [Int]) {
    lock.withLock {
      for (index, vector) in zip(batch, vectors) { result[index] = vector }
    }
  }
}

extension NativeSentenceEncoder {
  /// Returns the cache key of the checkpoint in `directory` run at
  /// `precision`: `native/FOLDER@FINGERPRINT`, with `+bf16` for bf16.
  ///
  /// Pass the precision the model runs in, which is fp32 for a bf16 request
  /// on a CPU without AVX-512 BF16 (see ``EncoderPrecision/bf16Supported``).
  public static func modelID(
    directory: URL, fingerprint: String, precision: EncoderPrecision
  ) -> String {
    let name = directory.standardizedFileURL.lastPathComponent
    return "native/" + name + "@" + fingerprint + (precision == .bf16 ? "+bf16" : "")
  }
}
