import Foundation

extension String {
  /// Returns the text, or, when it has more than `maxCharacters`
  /// characters, its start cut between two words and followed by "…".
  ///
  /// The cut falls on the last white space within the first
  /// `maxCharacters + 1` characters, so no word is split. When that white
  /// space lies in the first half, as with one long URL or token, the cut
  /// falls at `maxCharacters` instead, so that at least half of the limit is
  /// kept. The result has at most `maxCharacters` characters before the "…".
  func clipped(atWordBoundary maxCharacters: Int) -> String {
    guard count > maxCharacters else { return self }
    let start = prefix(maxCharacters + 1)
    var end = start.index(start.startIndex, offsetBy: maxCharacters)
    if let space = start.lastIndex(where: \.isWhitespace),
      start.distance(from: start.startIndex, to: space) >= maxCharacters / 2
    {
      end = space
    }
    var head = start[..<end]
    while head.last?.isWhitespace == true {
      head = head.dropLast()
    }
    return head + "…"
  }
}
