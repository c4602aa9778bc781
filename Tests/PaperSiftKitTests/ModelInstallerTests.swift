import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ModelInstallerTests {
  /// The files of a small stand-in checkpoint, keyed by path.
  static let files: [String: Data] = [
    "config.json": Data(#"{"hidden_size": 4}"#.utf8),
    "vocab.txt": Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n".utf8),
    "model.safetensors": Data((0..<64).map { UInt8($0) }),
    "1_Pooling/config.json": Data(#"{"pooling_mode_mean_tokens": true}"#.utf8),
  ]
  static let weightsHash = SHA256.hexDigest(of: [UInt8](files["model.safetensors"] ?? Data()))
  static let fastRetries = RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02)

  static func temporaryFolder() -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-install-\(UUID().uuidString)")
  }

  static func hub() throws -> LoopbackHTTPServer {
    try LoopbackHTTPServer { request in
      let path = String(request.path.dropFirst("/repo/".count))
      guard let body = files[path] else { return .text("Entry not found", status: 404) }
      return ScriptedResponse(body: body)
    }
  }

  @Test func hubInstallWritesFilesAndSkipsAbsentOptionalOnes() throws {
    let server = try Self.hub()
    defer { server.stop() }
    let root = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let target = root.appendingPathComponent("model")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)

    let installer = ModelInstaller(
      expectedSHA256: Self.weightsHash, retryPolicy: Self.fastRetries, checksModel: false)
    try installer.install(from: .hub(baseURL: server.baseURL + "/repo"), into: target)

    for (path, data) in Self.files {
      #expect(try Data(contentsOf: target.appendingPathComponent(path)) == data, "\(path)")
    }
    let requested = Set(server.requests.map(\.path))
    #expect(requested.contains("/repo/model.safetensors"))
    #expect(requested.contains("/repo/sentence_bert_config.json"))
    #expect(!FileManager.default.fileExists(atPath: target.path + ".partial"))
  }

  @Test func wrongHashInstallsNothing() throws {
    let server = try Self.hub()
    defer { server.stop() }
    let root = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let target = root.appendingPathComponent("model")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)

    let installer = ModelInstaller(retryPolicy: Self.fastRetries)
    let error = #expect(throws: PaperSiftError.self) {
      try installer.install(from: .hub(baseURL: server.baseURL + "/repo"), into: target)
    }
    #expect(error?.code == .model)
    #expect(error?.message.contains(Self.weightsHash) == true)
    #expect(error?.message.contains(ModelInstaller.pinnedSHA256) == true)
    #expect(!FileManager.default.fileExists(atPath: target.path))
    #expect(!FileManager.default.fileExists(atPath: target.path + ".partial"))
  }

  @Test func missingRequiredFileOnHubFails() throws {
    let server = try LoopbackHTTPServer { _ in .text("Entry not found", status: 404) }
    defer { server.stop() }
    let root = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)

    let installer = ModelInstaller(retryPolicy: Self.fastRetries)
    let error = #expect(throws: PaperSiftError.self) {
      try installer.install(
        from: .hub(baseURL: server.baseURL), into: root.appendingPathComponent("model"))
    }
    #expect(error?.code == .network)
    #expect(error?.message.contains("'config.json'") == true)
    #expect(error?.message.contains("scripts/install-model") == true)
  }

  @Test func folderInstallCopiesFiles() throws {
    let root = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let source = root.appendingPathComponent("wheel/model")
    try FileManager.default.createDirectory(
      at: source.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
    for (path, data) in Self.files { try data.write(to: source.appendingPathComponent(path)) }
    let target = root.appendingPathComponent("installed")

    try ModelInstaller(expectedSHA256: Self.weightsHash, checksModel: false).install(
      from: .folder(source), into: target)
    #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent("vocab.txt").path))
  }

  @Test func brokenVocabularyKeepsInstalledModel() throws {
    let weightsURL = EncoderFixtures.modelDirectory.appendingPathComponent("model.safetensors")
    try #require(
      FileManager.default.fileExists(atPath: weightsURL.path), EncoderFixtures.missingModelMessage)
    let weights = try Data(contentsOf: weightsURL, options: .alwaysMapped)
    let installed = try EncoderFixtures.copyOfModel(weights: weights)
    let source = try EncoderFixtures.copyOfModel(weights: weights)
    defer {
      try? FileManager.default.removeItem(at: installed)
      try? FileManager.default.removeItem(at: source)
    }
    let vocabulary = source.appendingPathComponent("vocab.txt")
    let lines = try String(contentsOf: vocabulary, encoding: .utf8).split(separator: "\n")
    try (lines.prefix(1000).joined(separator: "\n") + "\n").write(
      to: vocabulary, atomically: true, encoding: .utf8)
    let before = try Data(contentsOf: installed.appendingPathComponent("vocab.txt"))

    let error = #expect(throws: PaperSiftError.self) {
      try ModelInstaller().install(from: .folder(source), into: installed)
    }

    #expect(error?.code == .model)
    #expect(error?.message.contains("1000 tokens") == true, "\(error?.message ?? "")")
    #expect(try Data(contentsOf: installed.appendingPathComponent("vocab.txt")) == before)
  }

  @Test func missingSourceFolderIsNamed() throws {
    let root = Self.temporaryFolder()
    let error = #expect(throws: PaperSiftError.self) {
      try ModelInstaller().install(
        from: .folder(root.appendingPathComponent("nowhere")),
        into: root.appendingPathComponent("model"))
    }
    #expect(error?.code == .notFound)
    #expect(error?.message.contains("/nowhere' does not exist or is not a folder") == true)
    #expect(!FileManager.default.fileExists(atPath: root.path))
  }

  @Test func checkWeightsRejectsCorruptFile() throws {
    let root = Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    try Data("not the model".utf8).write(to: root.appendingPathComponent("model.safetensors"))

    let error = #expect(throws: PaperSiftError.self) {
      try ModelInstaller().checkWeights(in: root)
    }
    #expect(error?.message.contains("scripts/install-model") == true)
  }

  @Test(arguments: [EncoderPrecision.fp32, .bf16])
  func infoPrintsModelIDInUse(precision: EncoderPrecision) throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    var configuration = Configuration()
    configuration.embedding.modelDirectory = EncoderFixtures.modelDirectory.path
    configuration.embedding.precision = precision
    try configuration.save(to: home.appendingPathComponent("config.json"))
    let encoder = try NativeSentenceEncoder(
      directory: EncoderFixtures.modelDirectory, precision: precision)

    let result = try PaperSiftProcess(home: home).run(["model", "info"])

    #expect(result.status == 0, "stderr: \(result.errorOutput)")
    #expect(result.output.contains("model id: \(encoder.modelID) "), "\(result.output)")
    let inUse = encoder.precision == .bf16 ? "bf16" : "fp32"
    #expect(result.output.contains("at embedding.precision \(inUse)"))
  }
}
