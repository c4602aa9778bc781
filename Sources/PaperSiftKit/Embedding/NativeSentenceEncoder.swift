import COpenBLAS
import Foundation

/// A sentence-transformers BERT model run in-process on OpenBLAS.
///
/// Texts are tokenized, sorted by length and cut into batches of similar
/// length, so that the matrix products of a batch go through `cblas_sgemm`
/// with few wasted rows. The batch composition changes no vector beyond
/// float rounding. One encoder runs one batch at a time.
public final class NativeSentenceEncoder: SentenceEncoder, @unchecked Sendable {
  public let folder: ModelFolder
  public let tokenizer: WordPieceTokenizer
  public let modelID: String
  public var dimension: Int { folder.configuration.hiddenSize }
  /// The largest number of texts in one forward pass.
  public let batchSize: Int
  let model: BertModel
  private let workspace: ForwardWorkspace
  private let lock = NSLock()

  /// Loads the checkpoint in `directory`.
  ///
  /// - Parameters:
  ///   - directory: The checkpoint folder.
  ///   - threads: OpenBLAS threads for the whole process; 0 keeps OpenBLAS's choice.
  ///   - batchSize: Texts per forward pass; the workspace holds `batchSize`
  ///     times the maximum length in tokens.
  /// - Throws: ``PaperSiftError`` (code `model`) naming a missing or corrupt
  ///   file or tensor and the fix.
  public init(directory: URL, threads: Int = 0, batchSize: Int = 16) throws {
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
    model = try BertModel(file: file, configuration: folder.configuration)
    modelID = "native/" + directory.standardizedFileURL.lastPathComponent
    self.batchSize = max(1, batchSize)
    workspace = ForwardWorkspace(
      capacity: self.batchSize * folder.maxLength, maxLength: folder.maxLength,
      configuration: folder.configuration,
      attentionWorkers: threads > 0 ? threads : Int(openblas_get_num_threads()))
    if threads > 0 { openblas_set_num_threads(Int32(threads)) }
  }

  /// Returns the token ids of `text` as the model sees them, `[CLS]` and `[SEP]` included.
  public func tokenize(_ text: String) -> [Int32] {
    tokenizer.encode(text, maxLength: folder.maxLength)
  }

  public func embed(_ texts: [String]) throws -> [[Float]] {
    try embed(tokenized: texts.map(tokenize))
  }

  /// Returns one vector per token sequence, in order.
  ///
  /// - Throws: ``PaperSiftError`` when a sequence is empty, longer than the
  ///   maximum length, or holds an id outside the vocabulary.
  public func embed(tokenized sequences: [[Int32]]) throws -> [[Float]] {
    for ids in sequences {
      guard !ids.isEmpty, ids.count <= folder.maxLength else {
        throw PaperSiftError(
          .invalidInput,
          "A token sequence of length \(ids.count) is outside 1...\(folder.maxLength).")
      }
      guard ids.allSatisfy({ $0 >= 0 && Int($0) < folder.configuration.vocabularySize }) else {
        throw PaperSiftError(.invalidInput, "A token id is outside the vocabulary.")
      }
    }
    let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
    var result = [[Float]](repeating: [], count: sequences.count)

    lock.lock()
    defer { lock.unlock() }
    var start = 0
    while start < order.count {
      let batch = Array(order[start..<min(start + batchSize, order.count)])
      let vectors = run(batch.map { sequences[$0] })
      for (index, vector) in zip(batch, vectors) { result[index] = vector }
      start += batch.count
    }
    return result
  }

  /// The number of floating-point operations of the forward pass over
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
  private func run(_ sequences: [[Int32]]) -> [[Float]] {
    model.forward(sequences, workspace: workspace)
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
