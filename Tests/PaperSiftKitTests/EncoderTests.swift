import CEncoderKernels
import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct EncoderTests {
  @Test func referenceCasesAreLoaded() {
    #expect(EncoderFixtures.cases.count >= 50)
  }

  @Test(arguments: EncoderFixtures.cases)
  func embeddingMatchesReference(_ reference: EncoderReferenceCase) throws {
    let encoder = try EncoderFixtures.encoder()
    let ids = encoder.tokenize(reference.text)
    #expect(ids == reference.inputIDs)

    let vector = try #require(try encoder.embed(tokenized: [reference.inputIDs]).first)
    #expect(vector.count == 384)
    let (cosine, maxDifference) = compareVectors(vector, reference.embedding)
    #expect(cosine >= 0.99999, "cosine \(cosine), largest difference \(maxDifference)")
    #expect(maxDifference <= 1e-4, "largest absolute difference \(maxDifference)")
  }

  @Test func wholeNightMatchesReference() throws {
    // Every case in one call: several batches of 8, run side by side on two threads.
    _ = try EncoderFixtures.encoder()  // fails with the install instructions when absent
    let encoder = try NativeSentenceEncoder(
      directory: EncoderFixtures.modelDirectory, threads: 2, batchSize: 8)
    let compared = try compareAllCases(encoder)
    #expect(
      compared.lowestCosine >= 0.99999, "cosine \(compared.lowestCosine) for \(compared.worstCase)")
    #expect(compared.largestDifference <= 1e-4, "largest difference \(compared.largestDifference)")
  }

  @Test func batchEqualsSingleTexts() throws {
    let encoder = try EncoderFixtures.encoder()
    // Mixed lengths, so that sorting and batching reorder them.
    let texts = [
      EncoderFixtures.cases[0].text, "a", "", EncoderFixtures.cases[5].text,
      "Mixture-of-Experts (MoE) routing with top-2 gating.", EncoderFixtures.cases[14].text,
      "Transformers", "深度学习模型的表示学习 with English mixed in", EncoderFixtures.cases[12].text,
      "a",
    ]
    let batched = try encoder.embed(texts)
    #expect(batched.count == texts.count)
    for (text, vector) in zip(texts, batched) {
      let single = try #require(try encoder.embed([text]).first)
      let (cosine, maxDifference) = compareVectors(single, vector)
      #expect(maxDifference <= 1e-5, "largest difference \(maxDifference) for \(text.prefix(30))")
      #expect(cosine >= 0.999999)
    }
  }

  @Test func vectorsAreUnitLength() throws {
    let encoder = try EncoderFixtures.encoder()
    for vector in try encoder.embed(["unit length", "", "a longer sentence about attention"]) {
      let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
      #expect(abs(norm - 1) < 1e-5)
    }
  }

  @Test func modelFolderReadsSentenceTransformerFiles() throws {
    let folder = try ModelFolder(url: EncoderFixtures.modelDirectory)
    #expect(folder.maxLength == 256)
    #expect(folder.pooling == .mean)
    #expect(folder.normalizes)
    #expect(folder.configuration.hiddenSize == 384)
    #expect(folder.configuration.layerCount == 6)
    #expect(folder.configuration.headCount == 12)
    #expect(folder.configuration.layerNormEpsilon == 1e-12)
  }

  @Test func clsPoolingIsReadFromPoolingConfig() throws {
    let folder = try EncoderFixtures.copyOfModel(weights: nil)
    defer { try? FileManager.default.removeItem(at: folder) }
    let pooling = #"{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#
    try Data(pooling.utf8).write(to: folder.appendingPathComponent("1_Pooling/config.json"))
    try Data(#"{"max_seq_length": 128}"#.utf8).write(
      to: folder.appendingPathComponent("sentence_bert_config.json"))
    let weights = EncoderFixtures.modelDirectory.appendingPathComponent("model.safetensors")
    try FileManager.default.createSymbolicLink(
      at: folder.appendingPathComponent("model.safetensors"), withDestinationURL: weights)

    let model = try ModelFolder(url: folder)
    #expect(model.pooling == .cls)
    #expect(model.maxLength == 128)
  }

  @Test func missingFolderNamesInstallScript() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-model-here")
    let error = #expect(throws: PaperSiftError.self) {
      try NativeSentenceEncoder(directory: folder)
    }
    #expect(error?.code == .model)
    #expect(error?.message.contains("no-model-here/config.json") == true)
    #expect(error?.message.contains("scripts/install-model") == true)
  }

  @Test func flopCountMatchesFormula() throws {
    let encoder = try EncoderFixtures.encoder()
    // 6 layers × (2·L·H·(4H + 2I) + 4·L²·H) with L = 10, H = 384, I = 1536.
    let expected = 6.0 * (2 * 10 * 384 * (4 * 384 + 2 * 1536) + 4 * 100 * 384)
    #expect(encoder.forwardFLOPs(lengths: [10]) == expected)
  }

  @Test func erfKernelMatchesLibm() {
    let inputs = (-6000...6000).map { Float($0) / 1000 }
    var outputs = [Float](repeating: 0, count: inputs.count)
    papersift_erf(&outputs, inputs, inputs.count)
    let worst = zip(inputs, outputs).map { abs($1 - erff($0)) }.max() ?? .infinity
    #expect(worst <= 3e-7, "largest erf difference \(worst)")
  }

  @Test func expKernelMatchesLibm() {
    let inputs = (-8700...880).map { Float($0) / 100 }
    var outputs = [Float](repeating: 0, count: inputs.count)
    papersift_exp(&outputs, inputs, inputs.count)
    let worst = zip(inputs, outputs).map { abs($1 - expf($0)) / expf($0) }.max() ?? .infinity
    #expect(worst <= 1e-6, "largest relative exp difference \(worst)")
  }

  @Test func softmaxRowsSumToOne() {
    // Two rows of 37 scores: two whole vectors of 16 and a tail of 5.
    let inputs: [Float] = (0..<74).map { Float($0 % 7) - 3 }
    var scores = inputs
    papersift_softmax_rows(&scores, 2, 37)
    for row in 0..<2 {
      let sum = scores[(row * 37)..<(row * 37 + 37)].reduce(0, +)
      #expect(abs(sum - 1) < 1e-6, "row \(row) sums to \(sum)")
    }
    let firstRow = inputs[0..<37].map { exp(Double($0)) }
    let expected = firstRow[0] / firstRow.reduce(0, +)
    #expect(abs(Double(scores[0]) - expected) < 1e-7)
  }

  @Test func geluKernelMatchesFormula() {
    // 1603 inputs as 7 rows of 229, with a bias that shifts each column.
    let bias = (0..<229).map { Float($0 % 5) / 4 - 0.5 }
    let raw = (-800...802).map { Float($0) / 100 }
    var outputs = raw
    papersift_bias_gelu(&outputs, bias, 7, 229)
    let inputs = raw.indices.map { raw[$0] + bias[$0 % 229] }
    let worst =
      zip(inputs, outputs).map { x, y in
        abs(y - 0.5 * x * (1 + erff(x / Float(2).squareRoot())))
      }.max() ?? .infinity
    #expect(worst <= 1e-6, "largest GELU difference \(worst)")
  }

  @Test func residualLayerNormKernelMatchesFormula() {
    // Three rows of 37 (not a multiple of the 16 vector lanes).
    let cols = 37
    var generator = SplitMix64(seed: 7)
    let values = { (count: Int) in
      (0..<count).map { _ in Float.random(in: -2...2, using: &generator) }
    }
    let hidden = values(3 * cols)
    let delta = values(3 * cols)
    let bias = values(cols)
    let gamma = values(cols)
    let beta = values(cols)
    var outputs = hidden
    papersift_residual_layernorm(&outputs, delta, bias, gamma, beta, 3, cols, 1e-12)
    var worst: Double = 0
    for row in 0..<3 {
      let x = (0..<cols).map { Double(hidden[row * cols + $0] + delta[row * cols + $0] + bias[$0]) }
      let mean = x.reduce(0, +) / Double(cols)
      let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(cols)
      for k in 0..<cols {
        let expected =
          (x[k] - mean) / (variance + 1e-12).squareRoot() * Double(gamma[k]) + Double(beta[k])
        worst = max(worst, abs(expected - Double(outputs[row * cols + k])))
      }
    }
    #expect(worst <= 1e-5, "largest LayerNorm difference \(worst)")
  }
}
