import Foundation
import Synchronization

/// Tf-idf of words and word pairs, in the style of arxiv-sanity-lite.
///
/// Tokens are lowercased runs of ASCII letters, digits and `_` that start
/// with a letter or `_` and have at least two characters. Other bytes split
/// tokens, unlike scikit-learn's Unicode word pattern. English stop words are
/// dropped before pairs are formed. Term frequency is sublinear
/// (`1 + log tf`), idf is smoothed (`log((1 + n) / (1 + df)) + 1`), each
/// row is L2-normalised. Terms in fewer than `minDocumentFrequency`
/// documents or more than `maxDocumentShare` of them are dropped, then the
/// `maxFeatures` most frequent are kept.
public struct TfidfVectorizer: Sendable {
  /// The column of each kept term, keyed by the term's 64-bit hash.
  var columns: HashCounter

  /// The hashes of the kept terms.
  public var termHashes: [UInt64] { columns.entries().map(\.key) }
  public var idf: [Float]
  public let options: Options
  /// The term ids of papers, shared between fits so that a paper is tokenized once.
  public let cache: TermCache

  public var dimension: Int { idf.count }

  /// Vocabulary limits and the tokens added besides title and abstract words.
  public struct Options: Sendable, Equatable {
    public var maxFeatures = 20_000
    public var minDocumentFrequency = 5
    public var maxDocumentShare = 0.1
    public var categories = true
    public var authors = false

    public init(
      maxFeatures: Int = 20_000, minDocumentFrequency: Int = 5, maxDocumentShare: Double = 0.1,
      categories: Bool = true, authors: Bool = false
    ) {
      self.maxFeatures = maxFeatures
      self.minDocumentFrequency = minDocumentFrequency
      self.maxDocumentShare = maxDocumentShare
      self.categories = categories
      self.authors = authors
    }
  }

  /// Builds the vocabulary and idf from `papers`, which need no labels.
  ///
  /// A `cache` from earlier fits saves tokenizing again; it must have been
  /// made with the same `options`.
  public init(fitting papers: [Paper], options: Options = Options(), cache: TermCache? = nil) {
    let cache = cache ?? TermCache(options: options)
    precondition(cache.options == options, "The term cache was made with other options")
    self.options = options
    self.cache = cache
    var documentFrequency = HashCounter(capacity: papers.count * 128)
    for paper in papers {
      for term in cache.termCounts(of: paper).terms { documentFrequency.add(term) }
    }
    let n = papers.count
    let maxCount = Int32(max(Int(options.maxDocumentShare * Double(n)), 1))
    let minimum = Int32(options.minDocumentFrequency)
    let kept = documentFrequency.entries()
      .filter { $0.count >= minimum && $0.count <= maxCount }
      .sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
      .prefix(options.maxFeatures)
    var columns = HashCounter(capacity: kept.count * 2)
    var idf: [Float] = []
    for (term, count) in kept {
      columns.set(term, Int32(idf.count))
      idf.append(Float(log(Double(1 + n) / Double(1 + Int(count))) + 1))
    }
    self.columns = columns
    self.idf = idf
  }

  public func transform(_ papers: [Paper]) -> [SparseVector] {
    papers.map(transform)
  }

  public func transform(_ paper: Paper) -> SparseVector {
    let counted = cache.termCounts(of: paper)
    var pairs: [(column: Int32, value: Float)] = []
    pairs.reserveCapacity(counted.terms.count)
    for (term, count) in zip(counted.terms, counted.counts) {
      guard let column = columns.value(term) else { continue }
      pairs.append((column, (1 + log(Float(count))) * idf[Int(column)]))
    }
    pairs.sort { $0.column < $1.column }
    let norm = pairs.reduce(0) { $0 + $1.value * $1.value }.squareRoot()
    let scale: Float = norm > 0 ? 1 / norm : 0
    return SparseVector(indices: pairs.map(\.column), values: pairs.map { $0.value * scale })
  }

  /// Returns the words, word pairs and optional category and author tokens of a paper.
  static func terms(of paper: Paper, options: Options) -> [String] {
    let words = tokens(paper.title + " " + paper.abstract)
    var terms = words
    if words.count > 1 {
      for i in 1..<words.count { terms.append(words[i - 1] + " " + words[i]) }
    }
    if options.categories { terms += paper.categories.map { "category:" + $0 } }
    if options.authors { terms += paper.authors.map { "author:" + $0.lowercased() } }
    return terms
  }

  /// The hashes of ``terms(of:options:)``, computed on UTF-8 bytes without building strings.
  static func termHashes(of paper: Paper, options: Options) -> [UInt64] {
    var words: [UInt64] = []
    words.reserveCapacity(256)
    var hash = fnvOffset
    var length = 0
    func close() {
      if length >= 2, !stopWordHashes.contains(hash) { words.append(hash) }
      hash = fnvOffset
      length = 0
    }
    for part in [paper.title, " ", paper.abstract] {
      for var byte in part.utf8 {
        if byte >= 65 && byte <= 90 { byte += 32 }
        let isLetter = (byte >= 97 && byte <= 122) || byte == 95
        let isDigit = byte >= 48 && byte <= 57
        if isLetter || (isDigit && length > 0) {
          hash = (hash ^ UInt64(byte)) &* fnvPrime
          length += 1
        } else {
          close()
        }
      }
    }
    close()
    var terms = words
    if words.count > 1 {
      for i in 1..<words.count { terms.append(pairHash(words[i - 1], words[i])) }
    }
    if options.categories { terms += paper.categories.map { textHash("category:" + $0) } }
    if options.authors { terms += paper.authors.map { textHash("author:" + $0.lowercased()) } }
    return terms
  }

  static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
  static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

  /// Returns the FNV-1a hash of a text's UTF-8 bytes.
  static func textHash(_ text: String) -> UInt64 {
    text.utf8.reduce(fnvOffset) { ($0 ^ UInt64($1)) &* fnvPrime }
  }

  /// Returns the hash of a word pair, mixed so that it differs from both words' hashes.
  static func pairHash(_ first: UInt64, _ second: UInt64) -> UInt64 {
    var z = first &* 0x9E37_79B9_7F4A_7C15 ^ second
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  static let stopWordHashes = Set(stopWords.map(textHash))

  /// Lowercased word tokens without stop words.
  static func tokens(_ text: String) -> [String] {
    var result: [String] = []
    var current = ""
    func close() {
      if current.count >= 2, !stopWords.contains(current) { result.append(current) }
      current = ""
    }
    for scalar in text.lowercased().unicodeScalars {
      let isLetter = (scalar >= "a" && scalar <= "z") || scalar == "_"
      let isDigit = scalar >= "0" && scalar <= "9"
      if isLetter || (isDigit && !current.isEmpty) {
        current.unicodeScalars.append(scalar)
      } else {
        close()
      }
    }
    close()
    return result
  }

  /// Common English function words, which carry no topic.
  static let stopWords: Set<String> = [
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "him", "his", "how", "however", "if", "in", "into", "is", "it", "its", "itself", "just",
    "many", "may", "me", "more", "most", "much", "must", "my", "no", "nor", "not", "of", "off",
    "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over", "own", "same",
    "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "then", "there", "these", "they", "this", "those", "through", "thus", "to", "too", "two",
    "under", "until", "up", "upon", "us", "very", "via", "was", "we", "well", "were", "what",
    "when", "where", "whether", "which", "while", "who", "whom", "why", "will", "with",
    "within", "without", "would", "yet", "you", "your",
  ]
}

/// The term hashes of papers, keyed by paper id, so that each paper is tokenized once.
///
/// A term is identified by a 64-bit hash of its text: FNV-1a for words and
/// tokens, mixed for word pairs. A collision would merge two terms, but at 64
/// bits and a few million terms one is not expected. The cache is safe to
/// share between threads because a lock guards the table. Two threads that
/// miss on the same paper at once both tokenize it and store the same result.
public final class TermCache: Sendable {
  public let options: TfidfVectorizer.Options
  private let papers = Mutex<[String: (terms: [UInt64], counts: [Int32])]>([:])

  public init(options: TfidfVectorizer.Options) {
    self.options = options
  }

  /// The paper's distinct term hashes, sorted, with how often each occurs.
  public func termCounts(of paper: Paper) -> (terms: [UInt64], counts: [Int32]) {
    if let cached = papers.withLock({ $0[paper.id] }) { return cached }
    let all = TfidfVectorizer.termHashes(of: paper, options: options).sorted()
    var terms: [UInt64] = []
    var counts: [Int32] = []
    for term in all {
      if term == terms.last {
        counts[counts.count - 1] += 1
      } else {
        terms.append(term)
        counts.append(1)
      }
    }
    papers.withLock { $0[paper.id] = (terms, counts) }
    return (terms, counts)
  }
}

/// An open-addressing table from 64-bit term hashes to 32-bit counts or
/// columns, faster than `Dictionary`, whose SipHash costs more than the
/// already-mixed keys need.
struct HashCounter {
  private var keys: [UInt64]
  private var values: [Int32]
  private var used: [Bool]
  private var mask: Int
  private(set) var count = 0

  init(capacity: Int) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    keys = [UInt64](repeating: 0, count: size)
    values = [Int32](repeating: 0, count: size)
    used = [Bool](repeating: false, count: size)
    mask = size - 1
  }

  private func slot(_ key: UInt64) -> Int {
    var index = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    while used[index] && keys[index] != key { index = (index + 1) & mask }
    return index
  }

  mutating func add(_ key: UInt64) {
    let index = slot(key)
    if !used[index] {
      used[index] = true
      keys[index] = key
      count += 1
      if count * 2 > keys.count {
        grow()
        add(key)
        return
      }
    }
    values[index] += 1
  }

  mutating func set(_ key: UInt64, _ value: Int32) {
    let index = slot(key)
    if !used[index] {
      used[index] = true
      keys[index] = key
      count += 1
    }
    values[index] = value
    if count * 2 > keys.count { grow() }
  }

  func value(_ key: UInt64) -> Int32? {
    let index = slot(key)
    return used[index] ? values[index] : nil
  }

  func entries() -> [(key: UInt64, count: Int32)] {
    keys.indices.filter { used[$0] }.map { (keys[$0], values[$0]) }
  }

  private mutating func grow() {
    let old = entries()
    self = HashCounter(capacity: keys.count)
    for (key, value) in old { set(key, value) }
  }
}
