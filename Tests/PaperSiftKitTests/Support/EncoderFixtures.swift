import Foundation
import Testing

@testable import PaperSiftKit

/// One reference case computed by sentence-transformers with all-MiniLM-L6-v2.
struct EncoderReferenceCase: Decodable, Sendable, CustomTestStringConvertible {
  var text: String
  var inputIDs: [Int32]
  var embedding: [Float]

  enum CodingKeys: String, CodingKey {
    case text
    case inputIDs = "input_ids"
    case embedding
  }

  var testDescription: String {
    let escaped = text.prefix(40).debugDescription
    return "\(escaped) (\(inputIDs.count) tokens)"
  }
}

enum EncoderFixtures {
  /// The reference cases of `Fixtures/encoder/cases.jsonl`.
  static let cases: [EncoderReferenceCase] = {
    guard
      let url = Bundle.module.url(
        forResource: "cases", withExtension: "jsonl", subdirectory: "Fixtures/encoder"),
      let data = try? Data(contentsOf: url)
    else { return [] }
    let decoder = JSONDecoder()
    return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
      try? decoder.decode(EncoderReferenceCase.self, from: Data(line))
    }
  }()

  /// The installed all-MiniLM-L6-v2 folder: `$PAPERSIFT_MODEL_DIR`, else the
  /// one `scripts/install-model` fills in the home folder (`$PAPERSIFT_HOME`,
  /// else `~/.papersift`).
  static var modelDirectory: URL {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["PAPERSIFT_MODEL_DIR"], !path.isEmpty {
      return URL(fileURLWithPath: path)
    }
    return PaperSiftHome.fromEnvironment(environment).modelDirectory
  }

  /// The message a test shows when the weights are not installed.
  static var missingModelMessage: Comment {
    let path = modelDirectory.path
    return Comment(
      rawValue: "all-MiniLM-L6-v2 is not installed at \(path): run scripts/install-model "
        + "(or set PAPERSIFT_MODEL_DIR to an installed copy)")
  }

  private static let shared: Result<NativeSentenceEncoder, PaperSiftError> = {
    do {
      return .success(try NativeSentenceEncoder(directory: modelDirectory, batchSize: 8))
    } catch let error as PaperSiftError {
      return .failure(error)
    } catch {
      return .failure(PaperSiftError(.model, String(describing: error)))
    }
  }()

  /// Returns the encoder shared by the tests, loaded once. It fails the test
  /// with the install instructions when the model is absent.
  static func encoder() throws -> NativeSentenceEncoder {
    let weights = modelDirectory.appendingPathComponent("model.safetensors")
    try #require(FileManager.default.fileExists(atPath: weights.path), missingModelMessage)
    return try shared.get()
  }

  /// Copies the installed model's small files and, when given, replacement
  /// weights into a fresh temporary folder.
  static func copyOfModel(weights: Data?, into given: URL? = nil) throws -> URL {
    let folder =
      given
      ?? FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-model-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
    for file in [
      "config.json", "vocab.txt", "sentence_bert_config.json", "modules.json",
      "1_Pooling/config.json",
    ] {
      try FileManager.default.copyItem(
        at: modelDirectory.appendingPathComponent(file),
        to: folder.appendingPathComponent(file))
    }
    if let weights {
      try weights.write(to: folder.appendingPathComponent("model.safetensors"))
    }
    return folder
  }
}

/// Cosine similarity and largest absolute difference of two vectors.
func compareVectors(_ a: [Float], _ b: [Float]) -> (cosine: Double, maxDifference: Double) {
  var dot = 0.0
  var normA = 0.0
  var normB = 0.0
  var maxDifference = 0.0
  for (x, y) in zip(a, b) {
    dot += Double(x) * Double(y)
    normA += Double(x) * Double(x)
    normB += Double(y) * Double(y)
    maxDifference = max(maxDifference, abs(Double(x) - Double(y)))
  }
  return (dot / (normA * normB).squareRoot(), maxDifference)
}

/// Embeds every reference case in one call and compares each vector with its
/// reference: the lowest cosine and the largest absolute difference, with
/// the case of the lowest cosine.
func compareAllCases(_ encoder: NativeSentenceEncoder) throws
  -> (lowestCosine: Double, largestDifference: Double, worstCase: String)
{
  let cases = EncoderFixtures.cases
  let vectors = try encoder.embed(tokenized: cases.map(\.inputIDs))
  var result = (lowestCosine: 1.0, largestDifference: 0.0, worstCase: "")
  for (reference, vector) in zip(cases, vectors) {
    let (cosine, difference) = compareVectors(vector, reference.embedding)
    if cosine < result.lowestCosine {
      result.lowestCosine = cosine
      result.worstCase = reference.testDescription
    }
    result.largestDifference = max(result.largestDifference, difference)
  }
  return result
}
