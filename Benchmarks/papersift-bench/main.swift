import Foundation
import PaperSiftKit

/// A benchmark that `papersift-bench NAME [options]` runs.
struct Benchmark: Sendable {
  let name: String
  let abstract: String
  /// Runs with the arguments after the name; returns the process exit status.
  let run: @Sendable ([String]) throws -> Int32
}

/// Every benchmark, selected by name.
let benchmarks: [Benchmark] = [
  encoderBenchmark, productBenchmark, rankBenchmark, recallBenchmark,
]

/// Returns the best seconds of `runs` calls of `body` after one warm-up call.
func bestSeconds(runs: Int, _ body: () -> Void) -> Double {
  body()
  var best = Double.infinity
  for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
  return best
}

@MainActor func runBenchmarks() -> Int32 {
  let arguments = Array(CommandLine.arguments.dropFirst())
  guard let name = arguments.first, let benchmark = benchmarks.first(where: { $0.name == name })
  else {
    var usage = "usage: papersift-bench NAME [options]\n\nbenchmarks:\n"
    // Every description starts in the same column, two spaces after the longest name.
    let width = (benchmarks.map(\.name.count).max() ?? 0) + 2
    for benchmark in benchmarks {
      let name = benchmark.name.padding(toLength: width, withPad: " ", startingAt: 0)
      usage += "  \(name)\(benchmark.abstract)\n"
    }
    usage += "\n'papersift-bench NAME --help' describes the options of one.\n"
    // Asking for help succeeds; a missing or unknown name is a usage error.
    if let name = arguments.first, ["--help", "-h", "help"].contains(name) {
      print(usage, terminator: "")
      return 0
    }
    if let name = arguments.first {
      FileHandle.standardError.write(Data("error: unknown benchmark '\(name)'.\n".utf8))
    }
    FileHandle.standardError.write(Data(usage.utf8))
    return 2
  }
  #if DEBUG
    FileHandle.standardError.write(
      Data(
        """
        ************************************************************************
        WARNING: papersift-bench is a debug build; its timings are meaningless.
        Run it as 'swift run -c release papersift-bench ...'.
        ************************************************************************\n
        """.utf8))
  #endif
  do {
    return try benchmark.run(Array(arguments.dropFirst()))
  } catch let error as PaperSiftError {
    FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
    return error.code == .invalidInput || error.code == .configuration ? 2 : 1
  } catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return 1
  }
}

exit(runBenchmarks())
