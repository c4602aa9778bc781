import Foundation
import PaperSiftKit

/// `papersift embed --jsonl FILE`: embeds `{"text": ...}` lines with the native encoder.
enum EmbedCommand: Command {
  static let spec = CommandSpec(
    name: "embed",
    abstract: "Embed texts from a JSON Lines file with the native encoder.",
    discussion: """
      Reads one {"text": "..."} object per line of FILE ('-' for standard input) and writes
      one {"input_ids": [...], "embedding": [...]} line per input to standard output, in order.
      A blank line before the last object is rejected with its number, because it would shift
      the outputs. Write {"text": ""} to embed an empty text.
      """,
    options: [
      .value("--jsonl", "FILE", help: "The input file of {\"text\": ...} lines, or '-'."),
      .value(
        "--model-dir", "DIR",
        help: "The checkpoint folder (default: embedding.modelDirectory, else "
          + "<home>/models/all-MiniLM-L6-v2)."),
      .value("--threads", "N", help: "OpenBLAS threads (default: embedding.threads; 0 = auto)."),
      .value("--batch-size", "N", help: "Texts per forward pass (default: embedding.batchSize)."),
      .value(
        "--precision", "fp32|bf16",
        help: "Precision of the linear layers (default: embedding.precision); bf16 needs "
          + "AVX-512 BF16 and falls back to fp32 with a warning."),
    ])

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    guard let path = arguments.string("--jsonl") else {
      throw PaperSiftError(
        .invalidInput, "Missing --jsonl FILE: 'papersift embed' needs an input file.")
    }
    // Read before the model loads, so that a bad input fails at once.
    let texts = try readTexts(path: path)
    let settings = context.configuration.embedding
    let precision =
      try arguments.string("--precision").map(EncoderPrecision.parse(option:)) ?? settings.precision
    let encoder = try NativeSentenceEncoder(
      directory: try arguments.path("--model-dir")
        ?? settings.resolvedModelDirectory(home: context.home),
      threads: try arguments.int("--threads", in: 0...256) ?? settings.threads,
      batchSize: try arguments.int("--batch-size", in: 1...4096) ?? settings.batchSize,
      precision: precision)
    if encoder.precision != precision {
      Logger(label: "embed").warning(
        "This CPU lacks AVX-512 BF16; embedding in fp32", [("requested", precision.rawValue)])
    }

    let sequences = texts.map(encoder.tokenize)
    let vectors = try EmbeddingCheck.validated(
      encoder.embed(tokenized: sequences), modelID: encoder.modelID)
    var output = ""
    for (ids, vector) in zip(sequences, vectors) {
      let idList = ids.map(String.init).joined(separator: ",")
      let values = vector.map { "\($0)" }.joined(separator: ",")
      output += "{\"input_ids\":[\(idList)],\"embedding\":[\(values)]}\n"
    }
    FileHandle.standardOutput.write(Data(output.utf8))
    return .success
  }

  /// Reads the `text` field of every line, as ``EmbedInput`` reads them.
  ///
  /// - Throws: ``PaperSiftError`` when the input cannot be read, is empty, or
  ///   has a line that is blank or not a `{"text": ...}` object.
  static func readTexts(path: String) throws -> [String] {
    let data: Data
    do {
      data =
        path == "-"
        ? FileHandle.standardInput.readDataToEndOfFile()
        : try FileManager.default.contents(readingAllOf: URL(fileURLWithPath: path))
    } catch {
      let exists = FileManager.default.fileExists(atPath: path)
      throw PaperSiftError(
        exists ? .io : .invalidInput,
        "Unable to read '\(path)': \(PaperSiftError.describe(error)). Check the path.",
        underlying: error)
    }
    return try EmbedInput.texts(in: data, source: path == "-" ? "the standard input" : "'\(path)'")
  }
}
