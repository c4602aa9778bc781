import Foundation
import PaperSiftKit

let recallBenchmark = Benchmark(
  name: "recall",
  abstract: "Prefilter recall and tokens saved per cutoff; tunes the cutoff and weights.",
  run: runRecallBenchmark)

private let recallSpec = CommandSpec(
  name: "recall",
  abstract: "Replays recorded nights and measures the picks each prefilter cutoff keeps.",
  discussion: """
    Tunes the prefilter weights and the cutoff on the earlier half of the nights from the
    21st and reports them on the later half. The first run embeds every paper and caches
    the vectors in the home folder's cache/replay-vectors/MODEL.
    """,
  options: [
    .value("--days", "DIR", help: "A days folder in the layout of Data/benchmark (default)."),
    .value("--target", "R", help: "The recall to reach on the tuning nights (default 0.95)."),
    .value(
      "--labels", "WHICH",
      help: "every (default): learn from every paper's recorded label; sent: only from the "
        + "papers PaperSift would have sent, as it learns in use."),
    .flag("--json", help: "Print one JSON object per night instead of the summary."),
    .flag("--apply", help: "Write the chosen weights and cutoff into the configuration."),
    .value("--home", "DIR", help: "The PaperSift home (default $PAPERSIFT_HOME or ~/.papersift)."),
    .value("--vectors", "DIR", help: "The vector cache (default HOME/cache/replay-vectors/MODEL)."),
    .value("--report-dir", "DIR", help: "Write RECALL.md and recall.svg into this folder."),
  ], program: "papersift-bench")

private func runRecallBenchmark(_ arguments: [String]) throws -> Int32 {
  let parsed = try recallSpec.parse(arguments)
  if parsed.wantsHelp {
    print(recallSpec.helpText(commandPath: "papersift-bench recall"))
    return 0
  }
  let folder = URL(fileURLWithPath: parsed.string("--days") ?? "Data/benchmark")
  let target = try parsed.double("--target", in: 0...1) ?? 0.95
  let home = try PaperSiftHome.resolve(flag: parsed.string("--home"))
  let configuration = try Configuration.load(from: home.configurationURL)
  let settings = configuration.ranking
  let encoder = LazyEncoderEmbedding(settings: configuration.embedding, home: home)
  let vectors =
    try parsed.string("--vectors").map { URL(fileURLWithPath: $0) }
    ?? home.root.appendingPathComponent("cache/replay-vectors/\(encoder.cacheName())")

  let start = DispatchTime.now().uptimeNanoseconds
  let startCPU = processCPUSeconds()
  let days = try BenchmarkDays.load(from: folder)
  guard !days.isEmpty else {
    throw PaperSiftError(
      .invalidInput, "No YYYY-MM-DD.papers.jsonl files in the days folder '\(folder.path)'.")
  }
  let cache = try VectorCache(folder: vectors, fallback: encoder)
  var candidates = RecallReplay.defaultWeightGrid
  if !candidates.contains(settings.weights) { candidates.append(settings.weights) }
  let replay = Replay(days: days, folder: folder, embedder: cache, settings: settings)
  replay.labels = try replayLabels(parsed.string("--labels"), configuration: configuration)
  var recallReplay = RecallReplay(
    replay: replay, llm: configuration.llm, weightCandidates: candidates)
  var replayed = 0
  let recallDays = try recallReplay.run { day in
    ProgressLine.update("replaying \(day.date)")
    replayed += 1
    guard replayed % 10 == 0 else { return }
    // Keeps the vectors of an interrupted first run.
    do {
      try cache.save()
    } catch {
      Logger(label: "recall").warning(
        "Saving the vector cache failed", [("folder", vectors.path), ("error", "\(error)")])
    }
  }
  ProgressLine.clearIfShown()
  try cache.save()
  let tuning = CutoffTuning.tune(
    days: RecallReport.protocolDays(recallDays), candidates: candidates, target: target)
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  let cpuSeconds = processCPUSeconds() - startCPU

  if parsed.flag("--json") {
    print(try RecallReport.json(recallDays), terminator: "")
  } else {
    printSummary(recallDays, tuning: tuning, seconds: seconds, cpuSeconds: cpuSeconds)
  }
  let report = RecallReport(
    days: recallDays, tuning: tuning, configured: settings,
    run: RecallReport.RunInfo(
      command: "swift run -c release papersift-bench recall " + arguments.joined(separator: " "),
      machine: machineDescription(), date: today(), seconds: seconds, cpuSeconds: cpuSeconds,
      embeddedTexts: encoder.embeddedTexts))
  if let directory = parsed.string("--report-dir") {
    try writeReport(report, to: URL(fileURLWithPath: directory))
  }
  if parsed.flag("--apply") {
    guard let chosen = tuning.chosen else {
      throw PaperSiftError(
        .invalidInput, "No cutoff reached the target recall \(target); nothing was applied.")
    }
    try home.create()
    try CutoffTuning.apply(chosen, configurationAt: home.configurationURL)
    FileHandle.standardError.write(
      Data(
        ("Wrote the cutoff (\(chosen.policy)) and the weights (\(chosen.weights)) to "
          + "'\(home.configurationURL.path)'.\n").utf8))
  }
  return 0
}

/// Reads `--labels`: `every`, or `sent` with the configured cutoff fraction
/// and audit sample.
private func replayLabels(_ value: String?, configuration: Configuration) throws -> ReplayLabels {
  switch value ?? "every" {
  case "every":
    return .everyPaper
  case "sent":
    let ranking = configuration.ranking
    guard ranking.cutoffPolicy == "fraction" else {
      throw PaperSiftError(
        .invalidInput,
        "--labels sent replays the nights sending a fraction of each, but ranking.cutoffPolicy "
          + "is '\(ranking.cutoffPolicy)'. Set it to fraction in config.json for this run.")
    }
    return .sentPapers(fraction: ranking.cutoffValue, run: configuration.run)
  default:
    throw PaperSiftError(
      .invalidInput, "Invalid --labels '\(value ?? "")'. Use every or sent.")
  }
}

/// Prints micro-averaged recall, mean and worst night and tokens saved.
private func printSummary(
  _ days: [RecallDay], tuning: CutoffTuningResult, seconds: Double, cpuSeconds: Double
) {
  let scored = RecallReport.protocolDays(days)
  let heldOut = days.filter { tuning.heldOutDates.contains($0.date) }
  print(
    String(
      format:
        "recall: %d nights replayed in %.1f s (%.1f s CPU); from the 21st: %d nights, %d picks",
      days.count, seconds, cpuSeconds, scored.count, scored.reduce(0) { $0 + $1.picks }))
  for (title, nights) in [("from the 21st", scored), ("held-out later half", heldOut)] {
    print("\nshare of picks inside the top fraction, \(title) (\(nights.count) nights)")
    print("variant                          25%     30%     40%")
    for (variant, label) in RecallReport.variantLabels {
      let cells = [0.25, 0.3, 0.4].map { fraction in
        let summary = RecallSummary(
          days: nights, variant: variant.rawValue, policy: CutoffPolicy(.fraction, fraction))
        return String(format: "%6.1f%%", summary.recall * 100)
      }
      print(label.padding(toLength: 31, withPad: " ", startingAt: 0) + cells.joined(separator: " "))
    }
  }
  print("\nauto, from the 21st, by labeller and relevance   picks     25%     30%     40%")
  let breakdown = RecallBreakdown(
    days: scored, variant: ReplayVariant.auto.rawValue, fractions: [0.25, 0.3, 0.4])
  for row in breakdown.rows {
    let cells = (0..<3).map { String(format: "%6.1f%%", row.recall(at: $0) * 100) }
    print(
      row.name.padding(toLength: 45, withPad: " ", startingAt: 0)
        + String(format: "%8d ", row.picks) + cells.joined(separator: " "))
  }
  guard let chosen = tuning.chosen else {
    print("\nno weighting and cutoff reached \(tuning.target) on the tuning nights")
    return
  }
  print(
    "\nchosen on \(tuning.tuningDates.count) tuning nights: \(chosen.variant), \(chosen.policy)")
  for (name, summary) in [("tuning", chosen.tuning), ("held out", chosen.heldOut)] {
    print(
      String(
        format:
          "  %@: recall %.1f%%, mean night %.1f%%, worst night %.1f%% (%@), "
          + "papers sent %.1f%%, tokens saved %.1f%%",
        name, summary.recall * 100, summary.meanRecall * 100, summary.worstRecall * 100,
        summary.worstDay ?? "-", summary.sentShare * 100, summary.tokensSavedShare * 100))
  }
}

private func writeReport(_ report: RecallReport, to directory: URL) throws {
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  let curves = RecallReport.variantLabels.map { (variant: $0.variant.rawValue, label: $0.label) }
  let plot = RecallPlot(
    curves: curves, target: report.tuning.target,
    title: "Recall against papers sent, every night from the 21st")
  try plot.svg(days: RecallReport.protocolDays(report.days)).write(
    to: directory.appendingPathComponent("recall.svg"), atomically: true, encoding: .utf8)
  try report.markdown(plotFile: "recall.svg").write(
    to: directory.appendingPathComponent("RECALL.md"), atomically: true, encoding: .utf8)
}

private func machineDescription() -> String {
  let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
  let model =
    cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
    .map { $0.split(separator: ":", maxSplits: 1).last.map(String.init) ?? "" }?
    .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
  return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model)"
}

/// Returns the user and system CPU seconds this process has used.
private func processCPUSeconds() -> Double {
  var usage = rusage()
  guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
  func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
  return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

private func today() -> String {
  let formatter = ISO8601DateFormatter()
  formatter.formatOptions = [.withFullDate]
  return formatter.string(from: Date())
}
