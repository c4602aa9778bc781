import Foundation
import PaperSiftKit

/// `papersift model install|verify|info`: manages the encoder's checkpoint folder.
enum ModelCommand: Command {
  static let spec = CommandSpec(
    name: "model",
    abstract: "Install, verify or describe the sentence encoder model.",
    discussion: """
      install  Download all-MiniLM-L6-v2 from the Hugging Face hub (or copy it from --from DIR),
               check the SHA-256 of model.safetensors, and put it in the model folder.
               Where the hub is unreachable, run scripts/install-model instead.
      verify   Check the installed folder: files, header, tensor shapes, SHA-256, and one
               test embedding.
      info     Print the folder's configuration.
      """,
    options: [
      .value(
        "--model-dir", "DIR",
        help: "The model folder (default: embedding.modelDirectory, else "
          + "<home>/models/all-MiniLM-L6-v2)."),
      .value("--from", "DIR", help: "install: copy from this checkpoint folder, not the hub."),
      .value(
        "--hub-url", "URL",
        help: "install: the base URL of the files (default: \(ModelInstaller.defaultHubURL))."),
      .value(
        "--sha256", "HEX",
        help: "install, verify: the expected SHA-256 of model.safetensors (default: the pinned "
          + "all-MiniLM-L6-v2 value)."),
      .flag("--skip-sha256", help: "verify: skip the SHA-256 check, for other checkpoints."),
    ],
    positionals: "install|verify|info")

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    guard arguments.positionals.count == 1, let action = arguments.positionals.first else {
      throw PaperSiftError(
        .invalidInput, "Expected one action: 'papersift model install|verify|info'.")
    }
    let settings = context.configuration.embedding
    let folder =
      try arguments.path("--model-dir") ?? settings.resolvedModelDirectory(home: context.home)
    let hash = arguments.string("--sha256")?.lowercased()
    if let hash, hash.count != 64 || !hash.allSatisfy(\.isHexDigit) {
      throw PaperSiftError(
        .invalidInput,
        "Invalid value '\(hash)' for --sha256: expected 64 hexadecimal digits, as printed by "
          + "'sha256sum model.safetensors'.")
    }
    let installer = ModelInstaller(expectedSHA256: hash ?? ModelInstaller.pinnedSHA256)

    switch action {
    case "install":
      let source: ModelInstaller.Source =
        try arguments.path("--from").map { .folder($0) }
        ?? .hub(baseURL: arguments.string("--hub-url") ?? ModelInstaller.defaultHubURL)
      try createParent(of: folder)
      try installer.install(from: source, into: folder)
      print("Installed the model in \(folder.path).")
      return .success
    case "verify":
      if !arguments.flag("--skip-sha256") { try installer.checkWeights(in: folder) }
      let check = try ModelInstaller.checkModel(in: folder)
      print("The model in \(folder.path) is valid: \(check.modelID), dimension \(check.dimension).")
      return .success
    case "info":
      let model = try ModelFolder(url: folder)
      let c = model.configuration
      let size =
        (try? FileManager.default.attributesOfItem(atPath: model.weightsURL.path)[.size]
          as? Int) ?? 0
      let fingerprint = try SafeTensorsFile(url: model.weightsURL).fingerprint
      // The id of the precision that embedding.precision selects on this CPU,
      // since bf16 falls back to fp32 without AVX-512 BF16.
      let runsBF16 = settings.precision == .bf16 && EncoderPrecision.bf16Supported
      let modelID = NativeSentenceEncoder.modelID(
        directory: folder, fingerprint: fingerprint, precision: runsBF16 ? .bf16 : .fp32)
      print(
        """
        folder: \(folder.path)
        layers: \(c.layerCount), hidden size: \(c.hiddenSize), heads: \(c.headCount), \
        intermediate size: \(c.intermediateSize)
        vocabulary: \(c.vocabularySize) tokens, maximum length: \(model.maxLength) tokens
        pooling: \(model.pooling.rawValue), L2-normalised: \(model.normalizes)
        weights: \(size / 1_000_000) MB, fingerprint \(fingerprint)
        model id: \(modelID) (the key of its cached vectors at embedding.precision \
        \(runsBF16 ? "bf16" : "fp32"))
        """)
      return .success
    default:
      throw PaperSiftError(
        .invalidInput,
        "Unknown action '\(action)' for 'papersift model': expected install, verify or info.")
    }
  }

  /// Creates the parent folder of the model folder `folder`.
  static func createParent(of folder: URL) throws {
    let parent = folder.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    } catch {
      throw PaperSiftError(
        .io,
        "Unable to create the folder '\(parent.path)' for the model: "
          + "\(FileManager.default.folderCreationFailure(parent, error: error)). Pass a "
          + "writable folder with --model-dir or --home.",
        underlying: error)
    }
  }
}
