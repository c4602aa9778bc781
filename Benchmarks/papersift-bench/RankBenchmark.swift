import COpenBLAS
import Foundation
import PaperSiftKit

let rankBenchmark = Benchmark(
  name: "rank",
  abstract:
    "Prefilter speed: similarity kernel, retraining; --replay DIR --vectors DIR for recall.",
  run: runRankBenchmark)

private let rankSpec = CommandSpec(
  name: "rank",
  abstract: "Measures the prefilter's kernel and retraining, and optionally its recall.",
  options: [
    .value("--papers", "N", help: "Papers ranked by the kernel (default 100000)."),
    .value("--profiles", "N", help: "Profile vectors (default 1000)."),
    .value("--runs", "N", help: "Timed runs after one warm-up (default 5)."),
    .value(
      "--replay", "DIR", help: "A days folder to replay for recall (layout of Data/benchmark)."),
    .value("--vectors", "DIR", help: "A vector cache folder with the days' embeddings."),
    .value("--config", "FILE", help: "A configuration whose ranking section the replay uses."),
    .value("--first", "N", help: "The first scored night, counted from 1 (default 21)."),
    .value("--variants", "LIST", help: "Comma-separated variants to replay (default all)."),
    .value("--days", "DIR", help: "Nights for the retraining time (default Data/benchmark)."),
    .flag("--skip-speed", help: "Only replay."),
  ], program: "papersift-bench")

private func runRankBenchmark(_ arguments: [String]) throws -> Int32 {
  let parsed = try rankSpec.parse(arguments)
  if parsed.wantsHelp {
    print(rankSpec.helpText(commandPath: "papersift-bench rank"))
    return 0
  }
  if !parsed.flag("--skip-speed") {
    try measureKernel(
      papers: try parsed.int("--papers", in: 1...10_000_000) ?? 100_000,
      profiles: try parsed.int("--profiles", in: 1...100_000) ?? 1000,
      runs: try parsed.int("--runs", in: 1...100) ?? 5)
    try measureRetraining(folder: URL(fileURLWithPath: parsed.string("--days") ?? "Data/benchmark"))
  }
  if let days = parsed.string("--replay") {
    guard let vectors = parsed.string("--vectors") else {
      throw PaperSiftError(.invalidInput, "--replay needs --vectors DIR, a vector cache folder.")
    }
    var settings = RankingSettings()
    if let config = parsed.string("--config") {
      settings = try Configuration.load(from: URL(fileURLWithPath: config)).ranking
    }
    let variants = try (parsed.string("--variants")?.split(separator: ",") ?? []).map { name in
      guard let variant = ReplayVariant(rawValue: String(name)) else {
        throw PaperSiftError(
          .invalidInput,
          "Invalid variant '\(name)'. Variants: "
            + ReplayVariant.allCases.map(\.rawValue).joined(separator: ", ") + ".")
      }
      return variant
    }
    try replay(
      days: URL(fileURLWithPath: days), vectors: vectors, settings: settings,
      variants: variants.isEmpty ? ReplayVariant.allCases : variants,
      first: try parsed.int("--first", in: 1...100_000) ?? 21)
  }
  return 0
}

/// Times `body` over one warm-up and `runs` timed runs; returns the best seconds.
private func bestTime(runs: Int, _ body: () -> Float) -> (seconds: Double, checksum: Float) {
  var checksum: Float = 0
  let best = bestSeconds(runs: runs) { checksum += body() }
  return (best, checksum)
}

private func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
  var generator = SplitMix64(seed: seed)
  let values = (0..<(rows * columns)).map { _ in Float.random(in: -1...1, using: &generator) }
  return Matrix(rows: rows, columns: columns, values: values)
}

private func measureKernel(papers: Int, profiles: Int, runs: Int) throws {
  let dimension = 384
  let paperMatrix = randomMatrix(rows: papers, columns: dimension, seed: 1)
  let profileMatrix = randomMatrix(rows: profiles, columns: dimension, seed: 2)
  let flops = 2 * Double(papers) * Double(profiles) * Double(dimension)

  let full = bestTime(runs: runs) {
    SimilarityKernel.similarities(papers: paperMatrix, profiles: profileMatrix).values[0]
  }
  // What the ranker runs: blocks that stay in cache, each reduced to a row maximum.
  let blocked = bestTime(runs: runs) {
    var checksum: Float = 0
    SimilarityKernel.forEachBlock(papers: paperMatrix, profiles: profileMatrix) { rows, block in
      for local in 0..<rows.count {
        let row = block[(local * profiles)..<((local + 1) * profiles)]
        checksum += row.max() ?? 0
      }
    }
    return checksum
  }
  let profile = scorerProfile(profileMatrix)
  // No id matches a profile label, so no paper's own feedback is left out.
  let paperIds = (0..<papers).map { "paper \($0)" }
  let scorer = bestTime(runs: runs) {
    ColdStartScorer.score(
      embeddings: paperMatrix, paperIds: paperIds, profile: profile,
      parameters: ColdStartParameters())[0].score
  }
  let side = 2048
  let square = randomMatrix(rows: side, columns: side, seed: 3)
  let ceiling = bestTime(runs: runs) {
    SimilarityKernel.similarities(papers: square, profiles: square).values[0]
  }
  let ceilingFlops = 2 * pow(Double(side), 3)
  let loopRows = min(papers, 2000)
  let loopPapers = paperMatrix.selectingRows(Array(0..<loopRows))
  let loop = bestTime(runs: 1) {
    SimilarityKernel.similaritiesByLoop(papers: loopPapers, profiles: profileMatrix).values[0]
  }
  let ceilingRate = ceilingFlops / ceiling.seconds / 1e9
  print("kernel: \(papers) papers x \(profiles) profiles x \(dimension) dims")
  for (name, timing) in [
    ("blocks, row maximum", blocked), ("one n x m result", full), ("cold-start scorer", scorer),
  ] {
    let rate = flops / timing.seconds / 1e9
    print(
      String(
        format: "  %8.4f s  %7.1f GFLOP/s  (%.0f%% of ceiling)", timing.seconds, rate,
        100 * rate / ceilingRate
      )
      .padded(name, width: 22))
  }
  print(
    String(
      format: "  %8.4f s  %7.1f GFLOP/s", ceiling.seconds, ceilingRate
    ).padded("ceiling \(side)³ sgemm", width: 22))
  let loopFull = loop.seconds * Double(papers) / Double(loopRows)
  print(
    String(
      format: "  %8.4f s  %7.1f GFLOP/s  (timed on %d papers, scaled)", loopFull,
      flops / loopFull / 1e9, loopRows
    ).padded("naive Swift loop", width: 22))
  print(
    "  checksum \(blocked.checksum + full.checksum + scorer.checksum + ceiling.checksum + loop.checksum)"
  )
}

extension String {
  /// Prefixes `name`, padded to `width` characters, to this line.
  fileprivate func padded(_ name: String, width: Int) -> String {
    "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + self
  }
}

/// Returns a profile of `matrix`'s rows: 20 topics, 10 negatives and the
/// rest liked papers, so that every reduction of the scorer takes part.
private func scorerProfile(_ matrix: Matrix) -> Profile {
  let entries = (0..<matrix.rows).map { row in
    let kind: ProfileEntry.Kind
    switch row {
    case 0..<20: kind = .topic
    case 20..<30: kind = .negative
    default: kind = .liked
    }
    return ProfileEntry(kind: kind, label: "row \(row)", weight: 1)
  }
  return Profile(entries: entries, matrix: matrix)
}

/// Retrains the learned models on the first 60 nights of `folder` (real
/// titles, abstracts and picks), with random unit vectors for embeddings,
/// since the logistic regression's cost does not depend on their values.
private func measureRetraining(folder: URL) throws {
  let days = try BenchmarkDays.load(from: folder).prefix(60)
  let papers = days.flatMap(\.papers)
  let labels = days.flatMap { day in day.papers.map { day.picks.contains($0.id) } }
  let embeddings = randomMatrix(rows: papers.count, columns: 384, seed: 4)
  let set = TrainingSet(papers: papers, embeddings: embeddings, labels: labels)
  let parameters = ModelParameters()

  func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }
  var vocabulary = 0
  var passes = 0
  var models: LearnedModels?
  let total = seconds {
    models = LearnedModels.train(set, parameters: parameters, weights: RankerWeights.tuned)
    vocabulary = models?.vectorizer?.dimension ?? 0
    passes = models?.tfidf?.passes ?? 0
  }
  let logistic = seconds {
    _ = LearnedModels.train(
      set, parameters: parameters, weights: RankerWeights(profile: 1, logistic: 1, tfidf: 0))
  }
  let cache = TermCache(
    options: TfidfVectorizer.Options(
      maxFeatures: parameters.maxFeatures, categories: parameters.categoryFeatures,
      authors: parameters.authorFeatures))
  _ = TfidfVectorizer(fitting: papers, options: cache.options, cache: cache)
  let warmTfidf = seconds {
    _ = LearnedModels.train(
      set, parameters: parameters, weights: RankerWeights(profile: 1, logistic: 0, tfidf: 1),
      termCache: cache)
  }
  let night = Array(papers.suffix(300))
  var checksum: Float = 0
  let neighbours = seconds {
    if let vectorizer = models?.vectorizer, let model = models?.neighbours {
      checksum = model.scores(vectorizer.transform(night)).reduce(0, +)
    }
  }
  print(
    "retraining: \(papers.count) papers of \(days.count) nights, \(set.positives) picks, "
      + "vocabulary \(vocabulary), SVM passes \(passes)")
  print(String(format: "  all models, cold             %6.2f s", total))
  print(String(format: "  logistic regression          %6.2f s", logistic))
  print(String(format: "  tf-idf SVM, terms cached     %6.2f s", warmTfidf))
  print(
    String(
      format: "  neighbours, %d papers scored%6.2f s (checksum %.3f)", night.count, neighbours,
      checksum))
}

/// Replays a days folder and prints the share of picks inside each top fraction.
///
/// With `vectors` set to `none`, every embedding is zero, which leaves only
/// the tf-idf variant meaningful. Otherwise the replay stops before the first
/// night whose papers are not all in the cache.
private func replay(
  days folder: URL, vectors: String, settings: RankingSettings, variants: [ReplayVariant],
  first: Int
) throws {
  var days = try BenchmarkDays.load(from: folder)
  let recorder = MissingTexts(
    file: URL(fileURLWithPath: vectors).appendingPathComponent("missing.jsonl"))
  let embedder: any TextEmbedding
  if vectors == "none" {
    embedder = ZeroEmbedding()
  } else {
    let cache = try VectorCache(folder: URL(fileURLWithPath: vectors), fallback: recorder)
    let complete = days.prefix { day in
      day.papers.allSatisfy { cache.contains($0.embeddingText) }
    }
    if complete.count < days.count {
      print("replay: \(complete.count) of \(days.count) nights have cached vectors; using those.")
    }
    days = Array(complete)
    embedder = cache
  }
  let replay = Replay(days: days, folder: folder, embedder: embedder, settings: settings)
  let start = DispatchTime.now().uptimeNanoseconds
  let results = try replay.run(variants: variants, firstScoredDay: first - 1) { day in
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    FileHandle.standardError.write(Data(String(format: "%@ %.1f s\n", day.date, elapsed).utf8))
  }
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  guard recorder.count == 0 else {
    print("\(recorder.count) texts had no cached vector; they are listed in missing.jsonl.")
    return
  }
  let picks = results.reduce(0) { $0 + $1.picks }
  let papers = results.reduce(0) { $0 + $1.papers }
  print(
    "replay: \(results.count) nights from night \(first), \(papers) papers, \(picks) picks, "
      + String(format: "%.1f s", seconds))
  let shown = ["0.1", "0.2", "0.25", "0.3", "0.4", "0.5"]
  print(
    "variant        "
      + shown.map { "top \($0)".padding(toLength: 10, withPad: " ", startingAt: 0) }.joined())
  for variant in variants {
    let row = shown.map { fraction -> String in
      let inside = results.reduce(0) { $0 + ($1.variants[variant.rawValue]?[fraction] ?? 0) }
      return String(format: "%5.1f%%    ", 100 * Double(inside) / Double(max(picks, 1)))
    }
    print(variant.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0) + row.joined())
  }
}

/// Records texts missing from the vector cache and returns zero rows for them,
/// so that one replay lists every text to embed.
private final class MissingTexts: TextEmbedding {
  let file: URL
  var count = 0

  init(file: URL) { self.file = file }

  func embed(_ texts: [String]) throws -> Matrix {
    count += texts.count
    let lines = try texts.map { text in
      String(decoding: try JSONEncoder().encode(["text": text]), as: UTF8.self)
    }
    let existing = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    try (existing + lines.joined(separator: "\n") + "\n").write(
      to: file, atomically: true, encoding: .utf8)
    return Matrix.zeros(rows: texts.count, columns: 384)
  }
}

/// Returns zero rows, for replaying the tf-idf variant without embeddings.
private struct ZeroEmbedding: TextEmbedding {
  func embed(_ texts: [String]) throws -> Matrix {
    Matrix.zeros(rows: texts.count, columns: 384)
  }
}
