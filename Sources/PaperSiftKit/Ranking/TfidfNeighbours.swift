import Foundation

/// A nearest-neighbour contrast on tf-idf rows: how much closer a paper is to
/// the training positives than to the training negatives.
///
/// A paper's score is the mean cosine of its `positiveNeighbours` most
/// similar training positives minus the mean cosine of its
/// `negativeNeighbours` most similar training negatives. Rows must be
/// L2-normalised, as ``TfidfVectorizer`` makes them, so that dot products
/// are cosines. When a class has fewer rows than
/// its neighbour count, the mean is over the rows it has.
public struct TfidfNeighbours: Sendable {
  /// The training rows that contain each column, in row order.
  let postingStarts: [Int]
  let postingRows: [Int32]
  let postingValues: [Float]
  /// The training labels, positives true.
  let labels: [Bool]
  public let positiveNeighbours: Int
  public let negativeNeighbours: Int

  /// Indexes `rows` (columns `0..<dimension`) by column.
  public init(
    rows: [SparseVector], labels: [Bool], dimension: Int, positiveNeighbours: Int,
    negativeNeighbours: Int
  ) {
    precondition(rows.count == labels.count, "One label per row")
    var starts = [Int](repeating: 0, count: dimension + 1)
    for row in rows {
      for column in row.indices { starts[Int(column) + 1] += 1 }
    }
    for column in 0..<dimension { starts[column + 1] += starts[column] }
    var next = starts
    var postingRows = [Int32](repeating: 0, count: starts[dimension])
    var postingValues = [Float](repeating: 0, count: starts[dimension])
    for (rowIndex, row) in rows.enumerated() {
      for (column, value) in zip(row.indices, row.values) {
        let slot = next[Int(column)]
        postingRows[slot] = Int32(rowIndex)
        postingValues[slot] = value
        next[Int(column)] = slot + 1
      }
    }
    self.postingStarts = starts
    self.postingRows = postingRows
    self.postingValues = postingValues
    self.labels = labels
    self.positiveNeighbours = max(positiveNeighbours, 1)
    self.negativeNeighbours = max(negativeNeighbours, 1)
  }

  /// Scores each of `rows`, which use the training rows' columns.
  public func scores(_ rows: [SparseVector]) -> [Float] {
    let columns = postingStarts.count - 1
    var similarities = [Float](repeating: 0, count: labels.count)
    var positives = TopValues(capacity: positiveNeighbours)
    var negatives = TopValues(capacity: negativeNeighbours)
    return rows.map { row in
      for index in similarities.indices { similarities[index] = 0 }
      for (column, value) in zip(row.indices, row.values) where Int(column) < columns {
        for slot in postingStarts[Int(column)]..<postingStarts[Int(column) + 1] {
          similarities[Int(postingRows[slot])] += value * postingValues[slot]
        }
      }
      positives.removeAll()
      negatives.removeAll()
      for (similarity, isPositive) in zip(similarities, labels) {
        if isPositive {
          positives.insert(similarity)
        } else {
          negatives.insert(similarity)
        }
      }
      return positives.mean - negatives.mean
    }
  }
}

/// The largest values inserted so far, up to `capacity`, in a binary min-heap.
struct TopValues {
  let capacity: Int
  private(set) var heap: [Float] = []

  init(capacity: Int) {
    self.capacity = capacity
    heap.reserveCapacity(capacity)
  }

  /// The mean of the kept values, 0 when none was inserted.
  var mean: Float {
    heap.isEmpty ? 0 : heap.reduce(0, +) / Float(heap.count)
  }

  mutating func removeAll() {
    heap.removeAll(keepingCapacity: true)
  }

  mutating func insert(_ value: Float) {
    if heap.count < capacity {
      heap.append(value)
      siftUp(heap.count - 1)
    } else if let smallest = heap.first, value > smallest {
      heap[0] = value
      siftDown(0)
    }
  }

  private mutating func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard heap[child] < heap[parent] else { return }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  private mutating func siftDown(_ start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < heap.count, heap[left] < heap[smallest] { smallest = left }
      if right < heap.count, heap[right] < heap[smallest] { smallest = right }
      guard smallest != parent else { return }
      heap.swapAt(parent, smallest)
      parent = smallest
    }
  }
}
