import CEncoderKernels
import COpenBLAS
import Foundation
import PaperSiftKit

/// Times the encoder's linear-layer products alone, on one thread: OpenBLAS's
/// `cblas_sgemm` against PaperSift's bf16 kernel, on MiniLM's four shapes.
let productBenchmark = Benchmark(
  name: "products",
  abstract: "The encoder's linear-layer products on one thread: cblas_sgemm and the bf16 kernel.",
  run: runProductBenchmark)

private let productSpec = CommandSpec(
  name: "products",
  abstract: "Times the encoder's four linear-layer product shapes on one thread.",
  options: [
    .value("--rows", "N", help: "Token rows of each product (default 1900, half a batch pair)."),
    .value("--runs", "N", help: "Timed runs after one warm-up; the best counts (default 7)."),
  ], program: "papersift-bench")

private func runProductBenchmark(_ arguments: [String]) throws -> Int32 {
  let parsed = try productSpec.parse(arguments)
  if parsed.wantsHelp {
    print(productSpec.helpText(commandPath: "papersift-bench products"))
    return 0
  }
  let rows = try parsed.int("--rows", in: 1...100_000) ?? 1900
  let runs = try parsed.int("--runs", in: 1...100) ?? 7
  let blasThreads = openblas_get_num_threads()
  openblas_set_num_threads(1)
  defer { openblas_set_num_threads(blasThreads) }

  print("one thread, \(rows) rows; GFLOP/s, best of \(runs)")
  print("shape (in -> out)        cblas_sgemm   bf16 kernel")
  // Q, K, V stacked; the intermediate layer; the output layer; the attention output.
  for (inputs, outputs) in [(384, 1152), (384, 1536), (1536, 384), (384, 384)] {
    var generator = SplitMix64(seed: UInt64(inputs * outputs))
    let a = (0..<(rows * inputs)).map { _ in Float.random(in: -1...1, using: &generator) }
    let w = (0..<(outputs * inputs)).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
    var c = [Float](repeating: 0, count: rows * outputs)
    let flops = 2 * Double(rows * inputs * outputs)

    let sgemm = bestSeconds(runs: runs) {
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs), 1, a,
        Int32(inputs), w, Int32(inputs), 0, &c, Int32(outputs))
    }
    var bf16Column = "not supported"
    if EncoderPrecision.bf16Supported {
      var packed = [UInt16](repeating: 0, count: outputs * inputs)
      papersift_bf16_pack(w, outputs, inputs, &packed)
      var scratch = [UInt32](repeating: 0, count: 4 * inputs / 2)
      let bf16 = bestSeconds(runs: runs) {
        _ = papersift_bf16_gemm(a, rows, inputs, packed, outputs, &c, &scratch)
      }
      bf16Column = String(format: "%11.1f", flops / bf16 / 1e9)
    }
    let shape = "\(inputs) -> \(outputs)".padding(toLength: 22, withPad: " ", startingAt: 0)
    print("  " + shape + String(format: "%11.1f", flops / sgemm / 1e9) + "   " + bf16Column)
  }

  // One head's attention products for a 237-token sequence, the night's mean length.
  let length = 237
  let head = 32
  var generator = SplitMix64(seed: 5)
  let q = (0..<(length * head)).map { _ in Float.random(in: -1...1, using: &generator) }
  var scores = [Float](repeating: 0, count: length * length)
  var context = [Float](repeating: 0, count: length * head)
  let attentionFlops = 2 * Double(length * length * head)
  let scoresSeconds = bestSeconds(runs: runs) {
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasTrans, Int32(length), Int32(length), Int32(head), 1, q,
      Int32(head), q, Int32(head), 0, &scores, Int32(length))
  }
  let contextSeconds = bestSeconds(runs: runs) {
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(length), Int32(head), Int32(length), 1,
      scores, Int32(length), q, Int32(head), 0, &context, Int32(head))
  }
  print(String(format: "  attention Q·Kᵀ (237²×32) %11.1f", attentionFlops / scoresSeconds / 1e9))
  print(String(format: "  attention P·V (237²×32)  %11.1f", attentionFlops / contextSeconds / 1e9))
  print(
    String(
      format: "  ceiling 2048³            %11.1f", EncoderBenchmark.sgemmGFLOPs(size: 2048)))
  return 0
}
