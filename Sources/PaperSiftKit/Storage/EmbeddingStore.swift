import Foundation

/// Embeddings cached in the `embeddings` table, one row per paper and model.
///
/// A row stores the SHA-256 of the text it was computed from, so a changed
/// title or abstract (a replacement) is embedded again, and the model id, so
/// vectors of two models are never mixed. Vectors are float32 blobs in
/// little-endian byte order.
public struct EmbeddingStore {
  /// A cached vector and the hash of the text it came from.
  public struct Entry: Sendable, Equatable {
    public var textHash: String
    public var vector: [Float]
  }

  /// The outcome of ``embeddings(for:encoder:batchSize:)``.
  public struct Result: Sendable {
    /// One vector per paper, in the order of the papers.
    public var vectors: [[Float]]
    /// The papers that were embedded now; the others came from the cache.
    public var embeddedCount: Int
  }

  let database: Database
  private let logger = Logger(label: "embedding")

  public init(database: Database) {
    self.database = database
  }

  /// Returns the SHA-256 that keys the cache for `paper`'s embedded text.
  public static func textHash(of paper: Paper) -> String {
    SHA256.hexDigest(of: paper.embeddingText)
  }

  /// Returns the cached entries of `paperIDs` for `modelID`, keyed by paper id.
  public func entries(paperIDs: [String], modelID: String) throws -> [String: Entry] {
    let statement = try database.prepare(
      "SELECT text_hash, dimension, vector FROM embeddings WHERE paper_id = ? AND model_id = ?")
    var result: [String: Entry] = [:]
    for id in paperIDs {
      try statement.bind([.text(id), .text(modelID)])
      guard try statement.step() else { continue }
      let row = statement.row()
      guard let hash = row.string(0), let dimension = row.int(1), let blob = row.blob(2),
        blob.count == dimension * MemoryLayout<Float>.size
      else {
        logger.warning(
          "Ignoring a malformed cached embedding", [("paper", id), ("model", modelID)])
        continue
      }
      result[id] = Entry(textHash: hash, vector: Self.vector(from: blob))
    }
    return result
  }

  /// Stores `vectors` for `papers` (same order) under `modelID` in one
  /// transaction, replacing older rows.
  public func save(_ vectors: [[Float]], for papers: [Paper], modelID: String) throws {
    precondition(vectors.count == papers.count, "one vector per paper")
    let created = ISO8601DateFormatter().string(from: Date())
    try database.transaction {
      let statement = try database.prepare(
        """
        INSERT INTO embeddings (paper_id, model_id, text_hash, dimension, vector, created)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (paper_id, model_id) DO UPDATE SET
          text_hash = excluded.text_hash, dimension = excluded.dimension,
          vector = excluded.vector, created = excluded.created
        """)
      for (paper, vector) in zip(papers, vectors) {
        try statement.run([
          .text(paper.id), .text(modelID), .text(Self.textHash(of: paper)),
          .integer(Int64(vector.count)), .blob(Self.blob(from: vector)), .text(created),
        ])
      }
    }
  }

  /// Returns a vector for every paper, embedding only those with no cached
  /// vector for `encoder.modelID` or whose text changed since.
  ///
  /// New vectors are stored after each batch in its own transaction, so an
  /// interrupted night keeps the batches that finished. Progress shows as
  /// `embedding n/N` on a terminal.
  ///
  /// - Parameters:
  ///   - papers: Papers already stored in the `papers` table.
  ///   - encoder: The encoder, whose `modelID` keys the cache.
  ///   - batchSize: Papers per call to the encoder and per transaction.
  ///   - announce: Called with the number of papers to embed, before the first
  ///     batch, when there is any.
  /// - Returns: The vectors in the order of `papers`, and how many were embedded now.
  /// - Throws: The encoder's error, or ``PaperSiftError`` for a database failure;
  ///   batches stored before the failure stay stored.
  public func embeddings(
    for papers: [Paper], encoder: any SentenceEncoder, batchSize: Int = 64,
    beforeEmbedding announce: ((Int) -> Void)? = nil
  ) throws -> Result {
    let cached = try entries(paperIDs: papers.map(\.id), modelID: encoder.modelID)
    var vectors = [[Float]](repeating: [], count: papers.count)
    var missing: [Int] = []
    let knownDimension = encoder.dimension
    for (index, paper) in papers.enumerated() {
      if let entry = cached[paper.id], Self.isCurrent(entry, of: paper, dimension: knownDimension) {
        vectors[index] = entry.vector
      } else {
        missing.append(index)
      }
    }
    // A remote encoder's dimension is 0 until its first response. When every
    // paper is cached, the first is embedded again to learn the current
    // length, so that vectors of a length the server no longer returns are
    // found below and replaced instead of reaching the ranking.
    if knownDimension == 0, missing.isEmpty, !papers.isEmpty {
      missing = [0]
    }
    logger.info(
      "Embedding papers",
      [
        ("papers", "\(papers.count)"), ("cached", "\(papers.count - missing.count)"),
        ("model", encoder.modelID),
      ])
    if !missing.isEmpty { announce?(missing.count) }

    var done = 0
    // No progress line when nothing is missing. Otherwise "embedding 0/0"
    // would follow the night's progress for the feedback and training papers.
    if !missing.isEmpty { ProgressLine.update("embedding 0/\(missing.count)") }
    for start in stride(from: 0, to: missing.count, by: max(1, batchSize)) {
      let batch = Array(missing[start..<min(start + max(1, batchSize), missing.count)])
      let batchPapers = batch.map { papers[$0] }
      let batchVectors = try EmbeddingCheck.validated(
        encoder.embed(batchPapers.map(\.embeddingText)), modelID: encoder.modelID)
      guard batchVectors.count == batch.count else {
        throw PaperSiftError(
          .model,
          "The encoder '\(encoder.modelID)' returned \(batchVectors.count) vectors for "
            + "\(batch.count) texts.")
      }
      try save(batchVectors, for: batchPapers, modelID: encoder.modelID)
      for (index, vector) in zip(batch, batchVectors) { vectors[index] = vector }
      done += batch.count
      ProgressLine.update("embedding \(done)/\(missing.count)")
    }
    ProgressLine.clearIfShown()
    // A server that changed its vectors' length under the same model name:
    // the cached vectors of the old length cannot be compared with the new.
    let stale = vectors.indices.filter {
      encoder.dimension > 0 && vectors[$0].count != encoder.dimension
    }
    if knownDimension == 0, !stale.isEmpty {
      logger.warning(
        "The model's vectors changed length; embedding the cached ones again",
        [
          ("model", encoder.modelID), ("papers", "\(stale.count)"),
          ("dimension", "\(encoder.dimension)"),
        ])
      let again = try embeddings(
        for: stale.map { papers[$0] }, encoder: encoder, batchSize: batchSize)
      for (index, vector) in zip(stale, again.vectors) { vectors[index] = vector }
      return Result(vectors: vectors, embeddedCount: missing.count + again.embeddedCount)
    }
    return Result(vectors: vectors, embeddedCount: missing.count)
  }

  /// Tells whether a cached entry still serves `paper`: same text and, once
  /// the encoder's dimension is known, same length. A remote encoder's
  /// dimension is 0 until its first response.
  static func isCurrent(_ entry: Entry, of paper: Paper, dimension: Int) -> Bool {
    entry.textHash == textHash(of: paper) && (dimension == 0 || entry.vector.count == dimension)
  }

  static func blob(from vector: [Float]) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(vector.count * 4)
    for value in vector {
      withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }
    return bytes
  }

  static func vector(from blob: [UInt8]) -> [Float] {
    stride(from: 0, to: blob.count, by: 4).map { offset in
      let bits =
        UInt32(blob[offset]) | UInt32(blob[offset + 1]) << 8 | UInt32(blob[offset + 2]) << 16
        | UInt32(blob[offset + 3]) << 24
      return Float(bitPattern: bits)
    }
  }
}
