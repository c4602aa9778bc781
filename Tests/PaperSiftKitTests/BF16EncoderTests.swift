import CEncoderKernels
import Foundation
import Testing

@testable import PaperSiftKit

/// Tests of the bf16 path: the packed product kernel and the encoder run in bf16.
@Suite struct BF16EncoderTests {
  /// Rounds to the nearest bf16 value (ties to even), as the kernel does.
  static func bf16(_ value: Float) -> Float {
    let bits = value.bitPattern
    let rounded = (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000
    return Float(bitPattern: rounded)
  }

  @Test(
    .enabled(if: EncoderPrecision.bf16Supported, "needs AVX-512 BF16"),
    arguments: [(37, 384, 48), (4, 1536, 384), (1, 2, 16), (9, 64, 80)])
  func kernelMatchesProductOfRoundedValues(rows: Int, inputs: Int, outputs: Int) throws {
    var generator = SplitMix64(seed: UInt64(rows * 7 + inputs))
    let a = (0..<(rows * inputs)).map { _ in Float.random(in: -2...2, using: &generator) }
    let w = (0..<(outputs * inputs)).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
    var packed = [UInt16](repeating: 0, count: outputs * inputs)
    papersift_bf16_pack(w, outputs, inputs, &packed)
    var c = [Float](repeating: .nan, count: rows * outputs)
    var scratch = [UInt32](repeating: 0, count: 4 * inputs / 2)
    #expect(papersift_bf16_gemm(a, rows, inputs, packed, outputs, &c, &scratch) == 1)

    var worst = 0.0
    for i in 0..<rows {
      for j in 0..<outputs {
        var expected = 0.0
        for k in 0..<inputs {
          expected += Double(Self.bf16(a[i * inputs + k])) * Double(Self.bf16(w[j * inputs + k]))
        }
        worst = max(worst, abs(expected - Double(c[i * outputs + j])))
      }
    }
    print("bf16 kernel \(rows)x\(inputs)x\(outputs): largest difference \(worst)")
    #expect(worst <= 1e-4, "largest difference \(worst)")
  }

  @Test func kernelRejectsUnsupportedShapes() {
    var c = [Float](repeating: 0, count: 8)
    var scratch = [UInt32](repeating: 0, count: 8)
    let packed = [UInt16](repeating: 0, count: 24)
    // 8 outputs is not a multiple of 16; the caller falls back to sgemm.
    #expect(
      papersift_bf16_gemm([Float](repeating: 1, count: 3), 1, 3, packed, 8, &c, &scratch) == 0)
  }

  @Test func encoderMatchesReferenceInBF16() throws {
    _ = try EncoderFixtures.encoder()  // fails with the install instructions when absent
    let encoder = try NativeSentenceEncoder(
      directory: EncoderFixtures.modelDirectory, threads: 2, batchSize: 8, precision: .bf16)
    guard EncoderPrecision.bf16Supported else {
      #expect(encoder.precision == .fp32)
      #expect(!encoder.modelID.hasSuffix("+bf16"))
      return
    }
    #expect(encoder.precision == .bf16)
    let fp32 = try EncoderFixtures.encoder()
    #expect(encoder.modelID == fp32.modelID + "+bf16")

    let compared = try compareAllCases(encoder)
    print("bf16 encoder: lowest cosine to the reference \(compared.lowestCosine)")
    #expect(
      compared.lowestCosine >= 0.999, "cosine \(compared.lowestCosine) for \(compared.worstCase)")
  }
}
