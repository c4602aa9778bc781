import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct SafeTensorsTests {
  /// Builds a safetensors file from named float tensors.
  static func file(_ tensors: [(String, [Int], [Float])], dtype: String = "F32") -> Data {
    var entries: [String] = []
    var body = Data()
    for (name, shape, values) in tensors {
      let begin = body.count
      for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { body += $0 } }
      let shapeText = shape.map(String.init).joined(separator: ",")
      entries.append(
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shapeText)],"
          + "\"data_offsets\":[\(begin),\(body.count)]}")
    }
    var header = Data(
      ("{\"__metadata__\":{\"format\":\"pt\"}," + entries.joined(separator: ",") + "}").utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var data = Data()
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data += $0 }
    return data + header + body
  }

  static func temporaryFile(_ data: Data) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-\(UUID().uuidString).safetensors")
    try data.write(to: url)
    return url
  }

  @Test func tensorIsReadInPlace() throws {
    let url = try Self.temporaryFile(
      Self.file([("w", [2, 3], [1, 2, 3, 4, 5, 6]), ("b", [2], [7, 8])]))
    defer { try? FileManager.default.removeItem(at: url) }
    let file = try SafeTensorsFile(url: url)
    let w = try file.float32("w", shape: [2, 3])
    #expect(Array(UnsafeBufferPointer(start: w, count: 6)) == [1, 2, 3, 4, 5, 6])
    let b = try file.float32("b", shape: [2])
    #expect(b[1] == 8)
  }

  @Test func missingFileNamesPathAndFix() {
    let url = URL(fileURLWithPath: "/nonexistent/model.safetensors")
    let error = #expect(throws: PaperSiftError.self) { try SafeTensorsFile(url: url) }
    #expect(error?.code == .model)
    #expect(error?.message.contains("/nonexistent/model.safetensors") == true)
    #expect(error?.message.contains("scripts/install-model") == true)
  }

  @Test func truncatedDataIsRejected() throws {
    let whole = Self.file([("w", [4, 4], [Float](repeating: 1, count: 16))])
    let url = try Self.temporaryFile(whole.prefix(whole.count - 10))
    defer { try? FileManager.default.removeItem(at: url) }
    let error = #expect(throws: PaperSiftError.self) { try SafeTensorsFile(url: url) }
    #expect(error?.message.contains("truncated") == true)
    #expect(error?.message.contains("'w'") == true)
  }

  @Test func truncatedHeaderIsRejected() throws {
    let url = try Self.temporaryFile(Self.file([("w", [1], [1])]).prefix(20))
    defer { try? FileManager.default.removeItem(at: url) }
    let error = #expect(throws: PaperSiftError.self) { try SafeTensorsFile(url: url) }
    #expect(error?.message.contains("truncated") == true)
  }

  @Test func wrongShapeNamesTensor() throws {
    let url = try Self.temporaryFile(Self.file([("w", [2, 3], [1, 2, 3, 4, 5, 6])]))
    defer { try? FileManager.default.removeItem(at: url) }
    let file = try SafeTensorsFile(url: url)
    let error = #expect(throws: PaperSiftError.self) { try file.float32("w", shape: [3, 2]) }
    #expect(error?.message.contains("'w'") == true)
    #expect(error?.message.contains("[2, 3]") == true)
    #expect(error?.message.contains("[3, 2]") == true)
  }

  @Test func absentTensorNamesIt() throws {
    let url = try Self.temporaryFile(Self.file([("w", [1], [1])]))
    defer { try? FileManager.default.removeItem(at: url) }
    let error = #expect(throws: PaperSiftError.self) {
      try SafeTensorsFile(url: url).float32("encoder.layer.0.output.dense.weight", shape: [1])
    }
    #expect(error?.message.contains("has no tensor 'encoder.layer.0.output.dense.weight'") == true)
  }

  @Test func otherDtypeIsRejected() throws {
    let url = try Self.temporaryFile(Self.file([("w", [2], [1, 2])], dtype: "F16"))
    defer { try? FileManager.default.removeItem(at: url) }
    let error = #expect(throws: PaperSiftError.self) {
      try SafeTensorsFile(url: url).float32("w", shape: [2])
    }
    #expect(error?.message.contains("dtype F16, expected F32") == true)
  }

  @Test func encoderRejectsTruncatedModelWeights() throws {
    let weights = EncoderFixtures.modelDirectory.appendingPathComponent("model.safetensors")
    try #require(
      FileManager.default.fileExists(atPath: weights.path), EncoderFixtures.missingModelMessage)
    let handle = try FileHandle(forReadingFrom: weights)
    let prefix = try handle.read(upToCount: 1 << 20) ?? Data()
    try handle.close()
    let folder = try EncoderFixtures.copyOfModel(weights: prefix)
    defer { try? FileManager.default.removeItem(at: folder) }

    let error = #expect(throws: PaperSiftError.self) {
      try NativeSentenceEncoder(directory: folder)
    }
    #expect(error?.message.contains("truncated") == true)
    #expect(error?.message.contains("model.safetensors") == true)
  }

  @Test func encoderRejectsWrongShapeWeights() throws {
    let folder = try EncoderFixtures.copyOfModel(weights: nil)
    defer { try? FileManager.default.removeItem(at: folder) }
    // A tiny checkpoint whose word table is 8 wide where config.json sets 384.
    let weights = Self.file([
      ("embeddings.word_embeddings.weight", [30522, 8], [Float](repeating: 0, count: 30522 * 8))
    ])
    try weights.write(to: folder.appendingPathComponent("model.safetensors"))

    let error = #expect(throws: PaperSiftError.self) {
      try NativeSentenceEncoder(directory: folder)
    }
    #expect(error?.message.contains("embeddings.word_embeddings.weight") == true)
    #expect(error?.message.contains("[30522, 8]") == true)
    #expect(error?.message.contains("scripts/install-model") == true)
  }

  @Test func fingerprintFollowsContent() throws {
    let original = Self.file([("w", [2, 3], [1, 2, 3, 4, 5, 6]), ("b", [2], [7, 8])])
    let changed = Self.file([("w", [2, 3], [1, 2, 3, 4, 5, 6]), ("b", [2], [7, 8.5])])
    let longer = Self.file([("w", [2, 3], [1, 2, 3, 4, 5, 6]), ("b", [3], [7, 8, 0])])
    let urls = try [original, original, changed, longer].map(Self.temporaryFile)
    defer { for url in urls { try? FileManager.default.removeItem(at: url) } }
    let prints = try urls.map { try SafeTensorsFile(url: $0).fingerprint }

    #expect(prints[0].count == 16)
    #expect(prints[0].allSatisfy { $0.isHexDigit })
    #expect(prints[0] == prints[1])
    #expect(prints[0] != prints[2])
    #expect(prints[0] != prints[3])
    #expect(prints[2] != prints[3])
  }

  @Test func sameFolderNameOtherWeights() throws {
    let weights = EncoderFixtures.modelDirectory.appendingPathComponent("model.safetensors")
    try #require(
      FileManager.default.fileExists(atPath: weights.path), EncoderFixtures.missingModelMessage)
    var edited = try Data(contentsOf: weights)
    edited[edited.count - 1] ^= 0x01  // the last byte of the last tensor's last float
    let root = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-fingerprint-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let name = EncoderFixtures.modelDirectory.lastPathComponent
    let first = try EncoderFixtures.copyOfModel(
      weights: try Data(contentsOf: weights),
      into: root.appendingPathComponent("a").appendingPathComponent(name))
    let second = try EncoderFixtures.copyOfModel(
      weights: edited, into: root.appendingPathComponent("b").appendingPathComponent(name))

    let installed = try NativeSentenceEncoder(directory: EncoderFixtures.modelDirectory).modelID
    let copied = try NativeSentenceEncoder(directory: first).modelID
    let other = try NativeSentenceEncoder(directory: second).modelID

    #expect(copied == installed)
    #expect(copied.hasPrefix("native/\(name)@"))
    #expect(other.hasPrefix("native/\(name)@"))
    #expect(other != copied)
  }
}
