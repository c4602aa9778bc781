import COpenBLAS
import Foundation

/// A row-major matrix of `Float`, the layout embeddings are stored in.
public struct Matrix: Sendable, Equatable {
  public var rows: Int
  public var columns: Int
  /// `rows * columns` values, row after row.
  public var values: [Float]

  public init(rows: Int, columns: Int, values: [Float]) {
    precondition(values.count == rows * columns, "Matrix values must be rows * columns")
    self.rows = rows
    self.columns = columns
    self.values = values
  }

  /// Stacks equal-length vectors as rows; `columns` is used when `vectors` is empty.
  public init(stacking vectors: [[Float]], columns: Int) {
    self.rows = vectors.count
    self.columns = vectors.first?.count ?? columns
    self.values = vectors.flatMap { $0 }
    precondition(values.count == rows * self.columns, "Rows must have equal length")
  }

  public static func zeros(rows: Int, columns: Int) -> Matrix {
    Matrix(rows: rows, columns: columns, values: [Float](repeating: 0, count: rows * columns))
  }

  public subscript(row: Int, column: Int) -> Float {
    get { values[row * columns + column] }
    set { values[row * columns + column] = newValue }
  }

  public func row(_ index: Int) -> ArraySlice<Float> {
    values[(index * columns)..<((index + 1) * columns)]
  }

  /// Returns the rows at `indices`, in that order.
  public func selectingRows(_ indices: [Int]) -> Matrix {
    var selected = [Float]()
    selected.reserveCapacity(indices.count * columns)
    for index in indices { selected.append(contentsOf: row(index)) }
    return Matrix(rows: indices.count, columns: columns, values: selected)
  }
}

/// Dot products of many paper embeddings against many profile vectors,
/// computed by `cblas_sgemm`.
///
/// With L2-normalised rows the result is the cosine similarity. Shapes:
/// papers `n x d`, profiles `m x d`, result `n x m`, all row-major.
public enum SimilarityKernel {
  /// Returns `papers * profilesᵀ` in one `cblas_sgemm` call.
  public static func similarities(papers: Matrix, profiles: Matrix) -> Matrix {
    precondition(papers.columns == profiles.columns, "Papers and profiles differ in dimension")
    let count = papers.rows * profiles.rows
    // `beta` 0 overwrites every element, so the result needs no zero fill.
    let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let output = buffer.baseAddress {
        multiply(papers, rows: 0..<papers.rows, by: profiles, into: output)
      }
      initialized = count
    }
    return Matrix(rows: papers.rows, columns: profiles.rows, values: values)
  }

  /// Computes `papers * profilesᵀ` a block of `rowsPerBlock` papers at a
  /// time into one reused buffer, and hands each block to `body` with the
  /// papers it holds.
  ///
  /// The block stays in cache while `body` reduces it, and a large night
  /// never holds the whole `n x m` result: 100,000 papers against 1,000
  /// profiles need 4 MB instead of 400 MB. The default block size keeps a
  /// block near 4 MB.
  public static func forEachBlock(
    papers: Matrix, profiles: Matrix, rowsPerBlock: Int? = nil,
    _ body: (_ rows: Range<Int>, _ block: UnsafeBufferPointer<Float>) throws -> Void
  ) rethrows {
    precondition(papers.columns == profiles.columns, "Papers and profiles differ in dimension")
    let m = profiles.rows
    let step = max(1, rowsPerBlock ?? max(256, (1 << 20) / max(m, 1)))
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: min(step, papers.rows) * m)
    defer { buffer.deallocate() }
    for start in stride(from: 0, to: papers.rows, by: step) {
      let rows = start..<min(start + step, papers.rows)
      multiply(papers, rows: rows, by: profiles, into: buffer)
      try body(rows, UnsafeBufferPointer(start: buffer, count: rows.count * m))
    }
  }

  /// Writes `papers[rows] * profilesᵀ` to `output`, `rows.count x m`.
  private static func multiply(
    _ papers: Matrix, rows: Range<Int>, by profiles: Matrix,
    into output: UnsafeMutablePointer<Float>
  ) {
    let d = papers.columns
    guard !rows.isEmpty, profiles.rows > 0 else { return }
    guard d > 0 else {
      output.update(repeating: 0, count: rows.count * profiles.rows)
      return
    }
    papers.values.withUnsafeBufferPointer { a in
      profiles.values.withUnsafeBufferPointer { b in
        guard let a = a.baseAddress else { return }
        cblas_sgemm(
          CblasRowMajor, CblasNoTrans, CblasTrans,
          Int32(rows.count), Int32(profiles.rows), Int32(d),
          1, a + rows.lowerBound * d, Int32(d),
          b.baseAddress, Int32(d),
          0, output, Int32(profiles.rows))
      }
    }
  }

  /// The same product by three nested loops, the reference the tests and the
  /// benchmark compare against.
  public static func similaritiesByLoop(papers: Matrix, profiles: Matrix) -> Matrix {
    var result = Matrix.zeros(rows: papers.rows, columns: profiles.rows)
    for i in 0..<papers.rows {
      for j in 0..<profiles.rows {
        var sum: Float = 0
        for k in 0..<papers.columns {
          sum += papers.values[i * papers.columns + k] * profiles.values[j * profiles.columns + k]
        }
        result.values[i * profiles.rows + j] = sum
      }
    }
    return result
  }
}
