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

/// Dot products of many paper embeddings against many profile vectors in one
/// `cblas_sgemm` call.
///
/// With L2-normalised rows the result is the cosine similarity. Shapes:
/// papers `n x d`, profiles `m x d`, result `n x m`, all row-major.
public enum SimilarityKernel {
  /// Returns `papers * profilesᵀ`.
  public static func similarities(papers: Matrix, profiles: Matrix) -> Matrix {
    precondition(papers.columns == profiles.columns, "Papers and profiles differ in dimension")
    var result = Matrix.zeros(rows: papers.rows, columns: profiles.rows)
    guard papers.rows > 0, profiles.rows > 0, papers.columns > 0 else { return result }
    papers.values.withUnsafeBufferPointer { a in
      profiles.values.withUnsafeBufferPointer { b in
        result.values.withUnsafeMutableBufferPointer { c in
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans,
            Int32(papers.rows), Int32(profiles.rows), Int32(papers.columns),
            1, a.baseAddress, Int32(papers.columns),
            b.baseAddress, Int32(profiles.columns),
            0, c.baseAddress, Int32(profiles.rows))
        }
      }
    }
    return result
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
