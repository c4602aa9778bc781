import CEncoderKernels
import COpenBLAS
import Foundation

// Shape legend for the BERT forward pass:
//   N  tokens of the batch, every sequence packed end to end without padding
//   L  tokens of one sequence, [CLS] and [SEP] included
//   H  hidden size (384 for MiniLM-L6)
//   A  attention heads (12), D = H / A head size (32)
//   I  intermediate size (1536)
//   V  vocabulary size (30522), P maximum positions (512)
// Matrices are row-major. Weights stay in the memory-mapped safetensors file;
// a `Linear` weight is [out, in] as PyTorch stores it, so products use it transposed.

/// The numeric precision of the encoder's linear layers.
public enum EncoderPrecision: String, Codable, Sendable, CaseIterable, ConfigurationChoice {
  public init(from decoder: any Decoder) throws {
    self = try Self.decodeChoice(from: decoder)
  }

  /// float32 throughout, through `cblas_sgemm`.
  case fp32
  /// Weights and activations rounded to bfloat16 for the linear layers, with
  /// float32 sums (AVX-512 BF16); attention, LayerNorm and GELU stay float32.
  case bf16

  /// Whether this CPU can run the bf16 products.
  public static var bf16Supported: Bool { papersift_bf16_supported() != 0 }

  /// Returns the precision a `--precision` value names.
  ///
  /// - Throws: ``PaperSiftError`` with code `invalidInput` for any other name.
  public static func parse(option name: String) throws -> EncoderPrecision {
    guard let precision = EncoderPrecision(rawValue: name) else {
      throw PaperSiftError(
        .invalidInput,
        "Invalid value '\(name)' for --precision: expected "
          + allCases.map(\.rawValue).joined(separator: " or ") + ".")
    }
    return precision
  }
}

/// A linear layer's weight rounded to bf16 and packed for `papersift_bf16_gemm`.
final class PackedBF16Weight: @unchecked Sendable {
  let values: UnsafeMutablePointer<UInt16>

  /// Returns nil when the kernel cannot take these shapes (odd `in`, `out` not a multiple of 16).
  init?(_ weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
    guard inFeatures % 2 == 0, outFeatures % 16 == 0 else { return nil }
    values = .allocate(capacity: outFeatures * inFeatures)
    papersift_bf16_pack(weight, outFeatures, inFeatures, values)
  }

  deinit {
    values.deallocate()
  }
}

/// `nn.Linear`: `weight` [out, in] and `bias` [out].
struct Linear {
  let weight: UnsafePointer<Float>
  let bias: UnsafePointer<Float>
  let inFeatures: Int
  let outFeatures: Int
  /// The weight in bf16, when the model runs in that precision.
  let packed: PackedBF16Weight?

  init(
    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, inFeatures: Int, outFeatures: Int,
    precision: EncoderPrecision = .fp32
  ) {
    self.weight = weight
    self.bias = bias
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    packed =
      precision == .bf16
      ? PackedBF16Weight(weight, outFeatures: outFeatures, inFeatures: inFeatures) : nil
  }

  init(
    _ file: SafeTensorsFile, _ prefix: String, inFeatures: Int, outFeatures: Int,
    precision: EncoderPrecision = .fp32
  ) throws {
    self.init(
      weight: try file.float32(prefix + ".weight", shape: [outFeatures, inFeatures]),
      bias: try file.float32(prefix + ".bias", shape: [outFeatures]), inFeatures: inFeatures,
      outFeatures: outFeatures, precision: precision)
  }

  /// Writes `input · weightᵀ` to `output`, [N, out] = [N, in] · [in, out],
  /// without the bias, which the next element-wise pass adds.
  ///
  /// A bf16 layer uses `scratch` (4 · in / 2 values) for the rounded rows.
  func multiply(
    into output: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, rows: Int,
    scratch: UnsafeMutablePointer<UInt32>
  ) {
    if let packed,
      papersift_bf16_gemm(input, rows, inFeatures, packed.values, outFeatures, output, scratch)
        != 0
    {
      return
    }
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outFeatures),
      Int32(inFeatures), 1, input, Int32(inFeatures), weight, Int32(inFeatures), 0, output,
      Int32(outFeatures))
  }
}

/// `nn.LayerNorm` over the last dimension: `weight` (gamma) and `bias` (beta), [H].
struct LayerNorm {
  let weight: UnsafePointer<Float>
  let bias: UnsafePointer<Float>
  let size: Int
  let epsilon: Float

  init(_ file: SafeTensorsFile, _ prefix: String, size: Int, epsilon: Float) throws {
    weight = try file.float32(prefix + ".weight", shape: [size])
    bias = try file.float32(prefix + ".bias", shape: [size])
    self.size = size
    self.epsilon = epsilon
  }

  /// Normalises each of `rows` rows of `x` [N, H] in place.
  func apply(_ x: UnsafeMutablePointer<Float>, rows: Int) {
    papersift_layernorm(x, weight, bias, rows, size, epsilon)
  }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
// Field names mirror the checkpoint's tensor names, so that each is found by search.
/// `embeddings`: word, position and token type tables, then LayerNorm.
struct BertEmbeddings {
  let word_embeddings: UnsafePointer<Float>
  let position_embeddings: UnsafePointer<Float>
  let token_type_embeddings: UnsafePointer<Float>
  let LayerNorm: LayerNorm
  let hiddenSize: Int

  init(_ file: SafeTensorsFile, _ prefix: String, _ config: BertConfiguration) throws {
    let h = config.hiddenSize
    word_embeddings = try file.float32(
      prefix + ".word_embeddings.weight", shape: [config.vocabularySize, h])
    position_embeddings = try file.float32(
      prefix + ".position_embeddings.weight", shape: [config.maxPositions, h])
    token_type_embeddings = try file.float32(
      prefix + ".token_type_embeddings.weight", shape: [config.typeVocabularySize, h])
    LayerNorm = try PaperSiftKit.LayerNorm(
      file, prefix + ".LayerNorm", size: h, epsilon: config.layerNormEpsilon)
    hiddenSize = h
  }

  /// Writes the embeddings of `ids` at positions `0..<L` to `output` [L, H].
  func apply(into output: UnsafeMutablePointer<Float>, ids: [Int32]) {
    let h = hiddenSize
    for (position, id) in ids.enumerated() {
      let line = output + position * h
      let word = word_embeddings + Int(id) * h
      let place = position_embeddings + position * h
      // Every token has token type 0: a single segment.
      for i in 0..<h { line[i] = word[i] + place[i] + token_type_embeddings[i] }
    }
    LayerNorm.apply(output, rows: ids.count)
  }
}

/// `attention.self`: the query, key and value projections.
///
/// The three weights are also stacked into one [3H, H] matrix (a 1.7 MB
/// copy per layer for MiniLM-L6), so that one sgemm of [N, H] by [H, 3H]
/// computes all three, which runs faster than three products of width H.
final class BertSelfAttention {
  let query: Linear
  let key: Linear
  let value: Linear
  /// [3H, H] weight and [3H] bias: query, key, value rows in that order.
  let stacked: Linear
  private let storage: UnsafeMutablePointer<Float>

  init(
    _ file: SafeTensorsFile, _ prefix: String, _ config: BertConfiguration,
    precision: EncoderPrecision
  ) throws {
    let h = config.hiddenSize
    query = try Linear(file, prefix + ".query", inFeatures: h, outFeatures: h)
    key = try Linear(file, prefix + ".key", inFeatures: h, outFeatures: h)
    value = try Linear(file, prefix + ".value", inFeatures: h, outFeatures: h)

    storage = .allocate(capacity: 3 * h * h + 3 * h)
    let bias = storage + 3 * h * h
    for (index, part) in [query, key, value].enumerated() {
      (storage + index * h * h).update(from: part.weight, count: h * h)
      (bias + index * h).update(from: part.bias, count: h)
    }
    stacked = Linear(
      weight: storage, bias: bias, inFeatures: h, outFeatures: 3 * h, precision: precision)
  }

  deinit {
    storage.deallocate()
  }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
// Field names mirror the checkpoint's tensor names, so that each is found by search.
/// `attention.output` and `output`: a projection, the residual, then LayerNorm.
struct BertResidualOutput {
  let dense: Linear
  let LayerNorm: LayerNorm

  init(
    _ file: SafeTensorsFile, _ prefix: String, inFeatures: Int, _ config: BertConfiguration,
    precision: EncoderPrecision
  ) throws {
    dense = try Linear(
      file, prefix + ".dense", inFeatures: inFeatures, outFeatures: config.hiddenSize,
      precision: precision)
    LayerNorm = try PaperSiftKit.LayerNorm(
      file, prefix + ".LayerNorm", size: config.hiddenSize, epsilon: config.layerNormEpsilon)
  }

  /// Computes `LayerNorm(hidden + input · denseᵀ + bias)` into `hidden` [N, H],
  /// with `scratch` [N, H] for the product and the element-wise pass spread
  /// over `rowGroups`.
  func apply(
    hidden: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
    scratch: UnsafeMutablePointer<Float>, rows: Int, rowGroups: RowGroups,
    pairScratch: UnsafeMutablePointer<UInt32>
  ) {
    dense.multiply(into: scratch, input, rows: rows, scratch: pairScratch)
    let h = dense.outFeatures
    rowGroups.forEach(rows) { range in
      papersift_residual_layernorm(
        hidden + range.lowerBound * h, scratch + range.lowerBound * h, dense.bias,
        LayerNorm.weight, LayerNorm.bias, range.count, h, LayerNorm.epsilon)
    }
  }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
// Field names mirror the checkpoint's tensor names, so that each is found by search.
/// `encoder.layer.{i}`: self-attention, then the feed-forward block.
struct BertLayer {
  let attention_self: BertSelfAttention
  let attention_output: BertResidualOutput
  let intermediate_dense: Linear
  let output: BertResidualOutput

  init(
    _ file: SafeTensorsFile, _ prefix: String, _ config: BertConfiguration,
    precision: EncoderPrecision
  ) throws {
    attention_self = try BertSelfAttention(
      file, prefix + ".attention.self", config, precision: precision)
    attention_output = try BertResidualOutput(
      file, prefix + ".attention.output", inFeatures: config.hiddenSize, config,
      precision: precision)
    intermediate_dense = try Linear(
      file, prefix + ".intermediate.dense", inFeatures: config.hiddenSize,
      outFeatures: config.intermediateSize, precision: precision)
    output = try BertResidualOutput(
      file, prefix + ".output", inFeatures: config.intermediateSize, config,
      precision: precision)
  }
}

/// The whole checkpoint: embeddings and the encoder layers, weights in place
/// in the mapped file, which is read-only, so threads may share it.
struct BertModel: @unchecked Sendable {
  let configuration: BertConfiguration
  let embeddings: BertEmbeddings
  let layers: [BertLayer]
  /// Keeps the mapping, which every weight pointer points into, alive.
  let file: SafeTensorsFile
  /// The precision the linear layers run in: bf16 only where the CPU has AVX-512 BF16.
  let precision: EncoderPrecision

  /// Loads the checkpoint; a `bf16` request on a CPU without AVX-512 BF16 gives `fp32`.
  init(file: SafeTensorsFile, configuration: BertConfiguration, precision: EncoderPrecision = .fp32)
    throws
  {
    let precision: EncoderPrecision =
      precision == .bf16 && EncoderPrecision.bf16Supported ? .bf16 : .fp32
    self.precision = precision
    // Checkpoints saved from `BertForMaskedLM` and similar carry a `bert.` prefix.
    let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
    self.configuration = configuration
    self.file = file
    embeddings = try BertEmbeddings(file, prefix + "embeddings", configuration)
    layers = try (0..<configuration.layerCount).map { index in
      try BertLayer(file, prefix + "encoder.layer.\(index)", configuration, precision: precision)
    }
  }
}
