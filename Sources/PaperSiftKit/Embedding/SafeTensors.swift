import CEncoderKernels
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A `.safetensors` file mapped into memory, read without copying.
///
/// The format is an 8-byte little-endian header length, a JSON header that
/// maps each tensor name to its dtype, shape and `data_offsets` (begin and
/// end, relative to the end of the header), then the raw tensor bytes.
/// The mapping is read-only and shared, so the weights count once in memory
/// however many encoders use them, and pages load only when touched.
///
/// See https://huggingface.co/docs/safetensors/index.
public final class SafeTensorsFile: @unchecked Sendable {
  /// One entry of the header.
  public struct TensorInfo: Sendable, Equatable {
    public var dtype: String
    public var shape: [Int]
    /// Byte range within the data section.
    public var dataRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
  }

  public let url: URL
  public let tensors: [String: TensorInfo]
  private let base: UnsafeMutableRawPointer
  private let mappedLength: Int
  private let dataOffset: Int

  /// Maps the file at `url` and validates its header.
  ///
  /// - Throws: ``PaperSiftError`` (code `model`) naming the file when it is
  ///   missing, shorter than its header requires, or has an invalid header.
  public init(url: URL) throws {
    self.url = url
    let fix = "Run scripts/install-model to install the model again."
    let descriptor = open(url.path, O_RDONLY)
    guard descriptor >= 0 else {
      let reason = String(cString: strerror(errno))
      throw PaperSiftError(.model, "Unable to open the weights '\(url.path)': \(reason). \(fix)")
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_size >= 8 else {
      throw PaperSiftError(
        .model, "The weights file '\(url.path)' is truncated: shorter than 8 bytes. \(fix)")
    }
    let length = Int(status.st_size)
    guard let mapped = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0),
      mapped != MAP_FAILED
    else {
      let reason = String(cString: strerror(errno))
      throw PaperSiftError(.model, "Unable to map the weights '\(url.path)': \(reason). \(fix)")
    }
    self.base = mapped
    self.mappedLength = length

    do {
      let header = try Self.parseHeader(mapped, length: length, path: url.path)
      self.dataOffset = header.dataOffset
      self.tensors = header.tensors
    } catch {
      munmap(mapped, length)
      throw error
    }
  }

  deinit {
    munmap(base, mappedLength)
  }

  /// A fingerprint of the whole file, header and tensors, as 16 hex digits.
  ///
  /// It reads every page of the mapping once, so it costs one pass over the
  /// weights file each time an encoder is loaded.
  /// Two checkpoints in folders of the same name get different
  /// fingerprints, so their cached vectors are never mixed.
  public lazy var fingerprint: String = {
    let value = papersift_fingerprint(base, mappedLength)
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }()

  /// Returns a pointer to the `F32` data of tensor `name`, in place in the mapping.
  ///
  /// - Throws: ``PaperSiftError`` naming the file and the tensor when it is
  ///   absent, not `F32`, or its shape differs from `shape`.
  public func float32(_ name: String, shape: [Int]) throws -> UnsafePointer<Float> {
    let fix =
      "Run scripts/install-model to install the model again, or point the model folder at "
      + "a BERT checkpoint that matches its config.json."
    guard let info = tensors[name] else {
      throw PaperSiftError(
        .model, "The weights file '\(url.path)' has no tensor '\(name)'. \(fix)")
    }
    guard info.dtype == "F32" else {
      throw PaperSiftError(
        .model,
        "The tensor '\(name)' in '\(url.path)' has dtype \(info.dtype), expected F32. \(fix)")
    }
    guard info.shape == shape else {
      throw PaperSiftError(
        .model,
        "The tensor '\(name)' in '\(url.path)' has shape \(info.shape), expected \(shape) "
          + "from config.json. \(fix)")
    }
    let start = base.advanced(by: dataOffset + info.dataRange.lowerBound)
    return UnsafePointer(start.assumingMemoryBound(to: Float.self))
  }

  private static func parseHeader(
    _ mapped: UnsafeMutableRawPointer, length: Int, path: String
  ) throws -> (dataOffset: Int, tensors: [String: TensorInfo]) {
    let fix = "Run scripts/install-model to install the model again."
    let headerLength = Int(UInt64(littleEndian: mapped.loadUnaligned(as: UInt64.self)))
    guard headerLength > 1, headerLength <= length - 8 else {
      throw PaperSiftError(
        .model,
        "The weights file '\(path)' is truncated: its header needs \(headerLength) bytes but the "
          + "file has \(length - 8) after the length field. \(fix)")
    }
    let headerData = Data(bytes: mapped.advanced(by: 8), count: headerLength)
    guard let object = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
      throw PaperSiftError(
        .model, "The weights file '\(path)' has a header that is not a JSON object. \(fix)")
    }

    let dataOffset = 8 + headerLength
    let dataLength = length - dataOffset
    var tensors: [String: TensorInfo] = [:]
    for (name, value) in object where name != "__metadata__" {
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
        let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
        offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1]
      else {
        throw PaperSiftError(
          .model, "The weights file '\(path)' has an invalid header entry for '\(name)'. \(fix)")
      }
      guard offsets[1] <= dataLength else {
        throw PaperSiftError(
          .model,
          "The weights file '\(path)' is truncated: tensor '\(name)' ends at byte \(offsets[1]) "
            + "of the data but the file holds \(dataLength). \(fix)")
      }
      if dtype == "F32" {
        let expectedBytes = shape.reduce(4, *)
        guard offsets[1] - offsets[0] == expectedBytes else {
          throw PaperSiftError(
            .model,
            "The tensor '\(name)' in '\(path)' spans \(offsets[1] - offsets[0]) bytes, but shape "
              + "\(shape) needs \(expectedBytes). \(fix)")
        }
        guard (dataOffset + offsets[0]) % MemoryLayout<Float>.alignment == 0 else {
          throw PaperSiftError(
            .model, "The tensor '\(name)' in '\(path)' is not aligned to 4 bytes. \(fix)")
        }
      }
      tensors[name] = TensorInfo(dtype: dtype, shape: shape, dataRange: offsets[0]..<offsets[1])
    }
    return (dataOffset, tensors)
  }
}
