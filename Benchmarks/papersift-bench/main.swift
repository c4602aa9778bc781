import Foundation

// A plain benchmark program: `papersift-bench NAME [options]` runs one
// benchmark. Each benchmark lives in its own file and is listed here.

/// One benchmark that `papersift-bench` can run by name.
protocol Benchmark {
  static var name: String { get }
  static var abstract: String { get }
  /// Runs the benchmark with the arguments that follow its name.
  static func run(_ arguments: [String]) throws
}

let benchmarks: [any Benchmark.Type] = [
  EncoderBenchmark.self
]

@MainActor func printUsage() {
  print("USAGE: papersift-bench BENCHMARK [options]\n\nBENCHMARKS:")
  for benchmark in benchmarks {
    print(
      "  \(benchmark.name.padding(toLength: 10, withPad: " ", startingAt: 0))\(benchmark.abstract)")
  }
  print("\nRun 'papersift-bench BENCHMARK --help' for its options.")
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

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, !name.hasPrefix("-") else {
  printUsage()
  exit(arguments.isEmpty ? 2 : 0)
}
guard let benchmark = benchmarks.first(where: { $0.name == name }) else {
  FileHandle.standardError.write(Data("error: unknown benchmark '\(name)'.\n".utf8))
  printUsage()
  exit(2)
}
do {
  try benchmark.run(Array(arguments.dropFirst()))
} catch {
  FileHandle.standardError.write(Data("error: \(error)\n".utf8))
  exit(1)
}
