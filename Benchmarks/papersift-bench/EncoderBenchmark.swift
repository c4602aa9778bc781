import COpenBLAS
import Foundation
import PaperSiftKit

/// Measures the native encoder on the papers of real days: throughput, the
/// share of the machine's sgemm ceiling it reaches, peak memory, and, when
/// sentence-transformers is importable, the ratio to it on the same texts.
let encoderBenchmark = Benchmark(
  name: EncoderBenchmark.name, abstract: EncoderBenchmark.abstract,
  run: { arguments in
    try EncoderBenchmark.run(arguments)
    return 0
  })

enum EncoderBenchmark {
  static let name = "encoder"
  static let abstract = "Embed the papers of a bundled day with the native encoder."

  static let spec = CommandSpec(
    name: "encoder", abstract: abstract,
    options: [
      .value(
        "--day", "FILE",
        help: "A papers file (default: Data/benchmark/2025-05-05.papers.jsonl); repeatable.",
        repeatable: true),
      .value("--papers", "N", help: "Embed N papers, cycling through the days' papers."),
      .value("--threads", "N", help: "OpenBLAS and PyTorch threads (default: 2)."),
      .value("--runs", "N", help: "Timed runs after the warm-up (default: 3)."),
      .value("--batch-size", "N", help: "Texts per forward pass (default: 8, as in the product)."),
      .value(
        "--precision", "fp32|bf16",
        help: "Precision of the linear layers (default: fp32); bf16 needs AVX-512 BF16."),
      .value("--model-dir", "DIR", help: "Checkpoint folder (default: ~/.papersift/models/...)."),
      .flag("--skip-reference", help: "Do not run sentence-transformers."),
    ], program: "papersift-bench")

  static func run(_ arguments: [String]) throws {
    let parsed = try spec.parse(arguments)
    if parsed.wantsHelp {
      print(spec.helpText(commandPath: "papersift-bench encoder"))
      return
    }
    let days =
      parsed.strings("--day").isEmpty
      ? ["Data/benchmark/2025-05-05.papers.jsonl"] : parsed.strings("--day")
    let threads = try parsed.int("--threads", in: 1...256) ?? 2
    let runs = try parsed.int("--runs", in: 1...100) ?? 3
    let batchSize = try parsed.int("--batch-size", in: 1...1024) ?? 8
    let requested = try parsed.string("--precision").map(EncoderPrecision.parse(option:))
    let modelDirectory =
      parsed.string("--model-dir").map { URL(fileURLWithPath: $0) }
      ?? PaperSiftHome.fromEnvironment().modelDirectory

    var texts = try days.flatMap(readTexts)
    if let count = try parsed.int("--papers", in: 1...100_000), !texts.isEmpty {
      texts = (0..<count).map { texts[$0 % texts.count] }
    }
    print("machine: \(machineDescription())")
    print("OpenBLAS: \(openBLASDescription()), threads \(threads)")
    print("papers: \(texts.count) from \(days.joined(separator: ", "))")

    // Native encoder: load, tokenize, warm up, then timed runs.
    var clock = ContinuousClock.now
    let encoder = try NativeSentenceEncoder(
      directory: modelDirectory, threads: threads, batchSize: batchSize,
      precision: requested ?? .fp32)
    let label = "native \(encoder.precision.rawValue)"
    if let requested, requested != encoder.precision {
      print("precision: \(requested.rawValue) requested, but this CPU lacks AVX-512 BF16")
    }
    let loadSeconds = seconds(since: clock)
    clock = .now
    let sequences = texts.map(encoder.tokenize)
    let tokenizeSeconds = seconds(since: clock)
    let tokens = sequences.reduce(0) { $0 + $1.count }
    let flops = encoder.forwardFLOPs(lengths: sequences.map(\.count))
    _ = try encoder.embed(tokenized: Array(sequences.prefix(batchSize)))

    // A virtual machine's speed drifts as its host gets busy, so each run is
    // paired with a ceiling measured right after it.
    var timings: [Double] = []
    var shares: [Double] = []
    var ceiling = 0.0
    var checksum: Float = 0
    var peakMegabytes = 0.0
    for _ in 0..<runs {
      clock = .now
      let vectors = try encoder.embed(tokenized: sequences)
      let elapsed = seconds(since: clock)
      timings.append(elapsed)
      checksum += vectors.reduce(0) { $0 + $1[0] }
      // Read before the first ceiling, whose 48 MB of matrices would count otherwise.
      if timings.count == 1 { peakMegabytes = peakResidentMegabytes() }
      let runCeiling = sgemmGFLOPs(size: 2048)
      ceiling = max(ceiling, runCeiling)
      shares.append(flops / elapsed / 1e9 / runCeiling)
    }
    let best = timings.min() ?? 0
    let median = timings.sorted()[timings.count / 2]
    let nativeGFLOPs = flops / best / 1e9
    print(
      "load: \(format(loadSeconds)) s, tokenize: \(format(tokenizeSeconds)) s "
        + "(\(format(Double(texts.count) / tokenizeSeconds, digits: 0)) papers/s)")
    print(
      "\(label): best \(format(best)) s, median \(format(median)) s over \(runs) runs; "
        + "\(tokens) tokens, \(format(flops / 1e9, digits: 1)) GFLOP")
    print(
      "\(label): \(format(Double(texts.count) / best, digits: 1)) papers/s, "
        + "\(format(Double(tokens) / best, digits: 0)) tokens/s, "
        + "\(format(nativeGFLOPs, digits: 1)) GFLOP/s")
    print("peak RSS after encoding: \(format(peakMegabytes, digits: 1)) MB (checksum \(checksum))")

    // The ceiling: one large sgemm at the same thread count.
    let medianShare = shares.sorted()[shares.count / 2]
    print(
      "sgemm 2048x2048x2048: best \(format(ceiling, digits: 1)) GFLOP/s; native reaches "
        + "\(format(100 * nativeGFLOPs / ceiling, digits: 0))% of it (best run against "
        + "best ceiling), median \(format(100 * medianShare, digits: 0))% (each run against "
        + "the ceiling measured after it)")

    guard !parsed.flag("--skip-reference") else { return }
    guard
      let reference = try sentenceTransformersSeconds(
        texts: texts, modelDirectory: modelDirectory, threads: threads, runs: runs)
    else {
      print(
        "sentence-transformers: not importable by python3; install it with "
          + "'pip install sentence-transformers' to compare.")
      return
    }
    print(
      "sentence-transformers: best \(format(reference)) s, "
        + "\(format(Double(texts.count) / reference, digits: 1)) papers/s; "
        + "native is \(format(reference / best, digits: 2))x as fast")
  }

  /// Reads `title + "\n" + abstract` of every paper in a `.papers.jsonl` file.
  static func readTexts(_ path: String) throws -> [String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try data.split(separator: UInt8(ascii: "\n")).map { line in
      guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let title = object["title"] as? String, let abstract = object["abstract"] as? String
      else {
        throw PaperSiftError(.invalidInput, "A line of '\(path)' lacks a title or abstract.")
      }
      return title + "\n" + abstract
    }
  }

  /// Returns the best GFLOP/s of a square sgemm over five runs after a warm-up.
  static func sgemmGFLOPs(size: Int) -> Double {
    let a = [Float](repeating: 0.5, count: size * size)
    let b = [Float](repeating: 0.25, count: size * size)
    var c = [Float](repeating: 0, count: size * size)
    var best = Double.infinity
    for run in 0..<6 {
      let clock = ContinuousClock.now
      let n = Int32(size)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, &c, n)
      if run > 0 { best = min(best, seconds(since: clock)) }
    }
    precondition(c[0] == Float(size) * 0.125, "sgemm returned a wrong value")
    return 2 * pow(Double(size), 3) / best / 1e9
  }

  /// Times sentence-transformers on `texts` in a python3 child process, or
  /// returns nil when it cannot be imported.
  static func sentenceTransformersSeconds(
    texts: [String], modelDirectory: URL, threads: Int, runs: Int
  ) throws -> Double? {
    let input = FileManager.default.temporaryDirectory
      .appendingPathComponent("papersift-bench-\(UUID().uuidString).json")
    try JSONSerialization.data(withJSONObject: texts).write(to: input)
    defer { try? FileManager.default.removeItem(at: input) }
    let script = """
      import json, sys, time
      try:
          import torch
          from sentence_transformers import SentenceTransformer
      except ImportError:
          sys.exit(3)
      torch.set_num_threads(\(threads))
      texts = json.load(open(sys.argv[1]))
      model = SentenceTransformer(sys.argv[2], device="cpu")
      model.encode(texts[:16], batch_size=16)
      best = min(
          (lambda start: (model.encode(texts, batch_size=32), time.perf_counter() - start)[1])(
              time.perf_counter())
          for _ in range(\(runs)))
      print(best)
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, input.path, modelDirectory.path]
    var environment = ProcessInfo.processInfo.environment
    environment["OMP_NUM_THREADS"] = String(threads)
    environment["HF_HUB_OFFLINE"] = "1"
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return Double(
      String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }

  static func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    // Linux reports ru_maxrss in kilobytes.
    return Double(usage.ru_maxrss) / 1024
  }

  static func machineDescription() -> String {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model =
      cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
      .map { $0.split(separator: ":", maxSplits: 1).last.map(String.init) ?? "" }?
      .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores"
  }

  static func openBLASDescription() -> String {
    guard let config = openblas_get_config() else { return "unknown" }
    return String(cString: config)
  }

  static func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }

  static func format(_ value: Double, digits: Int = 3) -> String {
    String(format: "%.\(digits)f", value)
  }
}
