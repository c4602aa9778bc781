import Foundation
import Testing

/// The help of the `papersift-bench` executable that `swift build` builds
/// beside `papersift`. Only `--help` runs, never a benchmark.
@Suite struct BenchmarkHelpTests {
  @Test func descriptionsStartInOneColumn() throws {
    let home = try TestFiles.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: home) }
    let executable = try PaperSiftProcess(home: home).executable.deletingLastPathComponent()
      .appendingPathComponent("papersift-bench")
    try #require(
      FileManager.default.isExecutableFile(atPath: executable.path),
      "papersift-bench not found at \(executable.path); run swift build")
    let process = Process()
    process.executableURL = executable
    process.arguments = ["--help"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()

    #expect(process.terminationStatus == 0)
    let rows = text.split(separator: "\n", omittingEmptySubsequences: false)
      .drop { $0 != "benchmarks:" }.dropFirst().prefix { !$0.isEmpty }
    let names = rows.compactMap { $0.split(separator: " ").first.map(String.init) }
    #expect(names == ["encoder", "products", "rank", "recall"])
    // "products" is the longest name, 8 characters, so every description
    // starts at column 2 + 8 + 2 = 12.
    for row in rows {
      let description = try #require(row.firstMatch(of: /^  \S+ +(\S)/)?.1)
      #expect(row.distance(from: row.startIndex, to: description.startIndex) == 12, "\(row)")
    }
  }
}
