import Foundation

/// Embeddings kept in a folder, keyed by the SHA-256 of the embedded text.
///
/// The folder contains `keys.txt` (one lowercase hex digest a line) and
/// `vectors.f32` (the rows in the same order, `dimension` float32 values
/// each, little-endian). A text not in the cache is passed to `fallback`
/// when one is set, and the new rows are appended by ``save()``.
public final class VectorCache: TextEmbedding {
  public let folder: URL
  public let dimension: Int
  private var rows: [String: Int] = [:]
  private var values: [Float] = []
  private var unsaved = 0
  private let fallback: (any TextEmbedding)?

  public init(folder: URL, dimension: Int = 384, fallback: (any TextEmbedding)? = nil) throws {
    self.folder = folder
    self.dimension = dimension
    self.fallback = fallback
    let keysURL = folder.appendingPathComponent("keys.txt")
    let vectorsURL = folder.appendingPathComponent("vectors.f32")
    guard FileManager.default.fileExists(atPath: keysURL.path) else { return }
    do {
      let keys = try String(contentsOf: keysURL, encoding: .utf8).split(separator: "\n")
      let data = try Data(contentsOf: vectorsURL)
      guard data.count == keys.count * dimension * 4 else {
        throw PaperSiftError(
          .invalidInput,
          "The vector cache '\(folder.path)' has \(keys.count) keys but \(data.count) bytes "
            + "of vectors, expected \(keys.count * dimension * 4). Delete the folder to rebuild it.")
      }
      values = data.withUnsafeBytes { raw in
        (0..<(keys.count * dimension)).map { index in
          Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
        }
      }
      for (row, key) in keys.enumerated() { rows[String(key)] = row }
    } catch let error as PaperSiftError {
      throw error
    } catch {
      throw PaperSiftError(
        .io, "Unable to read the vector cache '\(folder.path)': \(error.localizedDescription).",
        underlying: error)
    }
  }

  public var count: Int { rows.count }

  public func contains(_ text: String) -> Bool {
    rows[SHA256.hexDigest(of: text)] != nil
  }

  /// Returns the cached rows of `texts`, embedding the missing ones through the fallback.
  ///
  /// - Throws: ``PaperSiftError`` with code `notFound` when a text is missing
  ///   and there is no fallback.
  public func embed(_ texts: [String]) throws -> Matrix {
    let keys = texts.map { SHA256.hexDigest(of: $0) }
    let missing = Array(Set(keys.indices.filter { rows[keys[$0]] == nil }.map { texts[$0] }))
    if !missing.isEmpty {
      guard let fallback else {
        throw PaperSiftError(
          .notFound,
          "\(missing.count) texts are not in the vector cache '\(folder.path)', such as "
            + "'\(missing[0].prefix(60))'. Embed them first.")
      }
      let embedded = try fallback.embed(missing)
      for (offset, text) in missing.enumerated() {
        rows[SHA256.hexDigest(of: text)] = values.count / dimension
        values += embedded.row(offset)
      }
      unsaved += missing.count
    }
    var result: [Float] = []
    result.reserveCapacity(texts.count * dimension)
    for key in keys {
      guard let row = rows[key] else { continue }
      result += values[(row * dimension)..<((row + 1) * dimension)]
    }
    return Matrix(rows: texts.count, columns: dimension, values: result)
  }

  /// Writes the cache back when rows were added.
  public func save() throws {
    guard unsaved > 0 else { return }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let keys = rows.sorted { $0.value < $1.value }.map(\.key)
    var data = Data(capacity: values.count * 4)
    for value in values {
      withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
    }
    try data.write(to: folder.appendingPathComponent("vectors.f32"), options: .atomic)
    try (keys.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("keys.txt"), atomically: true, encoding: .utf8)
    unsaved = 0
  }
}
