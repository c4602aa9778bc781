import Foundation

/// Tf-idf of words and word pairs, in the style of arxiv-sanity-lite.
///
/// Tokens are lowercased runs of letters, digits and `_` that start with a
/// letter or `_` and have at least two characters; English stop words are
/// dropped before pairs are formed. Term frequency is sublinear
/// (`1 + log tf`), idf is smoothed (`log((1 + n) / (1 + df)) + 1`), each
/// row is L2-normalised. Terms in fewer than `minDocumentFrequency`
/// documents or more than `maxDocumentShare` of them are dropped, then the
/// `maxFeatures` most frequent are kept.
public struct TfidfVectorizer: @unchecked Sendable {
  /// The column of each kept term id.
  public var columns: [Int32: Int32]
  public var idf: [Float]
  public let options: Options
  /// The term ids of papers, shared between fits so that a paper is tokenized once.
  public let cache: TermCache

  public var dimension: Int { idf.count }

  /// The kept terms and their columns.
  public var vocabulary: [String: Int32] {
    Dictionary(uniqueKeysWithValues: columns.map { (cache.term($0.key), $0.value) })
  }

  /// What each paper contributes besides its title and abstract.
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
  /// - Parameter cache: Reused term ids; it must have been made with the same `options`.
  public init(fitting papers: [Paper], options: Options = Options(), cache: TermCache? = nil) {
    let cache = cache ?? TermCache(options: options)
    precondition(cache.options == options, "The term cache was made with other options")
    self.options = options
    self.cache = cache
    var documentFrequency: [Int32: Int] = [:]
    for paper in papers {
      for term in Set(cache.termIds(of: paper)) {
        documentFrequency[term, default: 0] += 1
      }
    }
    let n = papers.count
    let maxCount = max(Int(options.maxDocumentShare * Double(n)), 1)
    let kept = documentFrequency
      .filter { $0.value >= options.minDocumentFrequency && $0.value <= maxCount }
      .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      .prefix(options.maxFeatures)
    var columns: [Int32: Int32] = [:]
    var idf: [Float] = []
    for (term, count) in kept {
      columns[term] = Int32(idf.count)
      idf.append(Float(log(Double(1 + n) / Double(1 + count)) + 1))
    }
    self.columns = columns
    self.idf = idf
  }

  public func transform(_ papers: [Paper]) -> [SparseVector] {
    papers.map(transform)
  }

  public func transform(_ paper: Paper) -> SparseVector {
    var counts: [Int32: Int] = [:]
    for term in cache.termIds(of: paper) {
      if let column = columns[term] { counts[column, default: 0] += 1 }
    }
    let indices = counts.keys.sorted()
    var values = indices.map { column -> Float in
      let tf = Float(counts[column] ?? 1)
      return (1 + log(tf)) * idf[Int(column)]
    }
    let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    if norm > 0 { values = values.map { $0 / norm } }
    return SparseVector(indices: indices, values: values)
  }

  /// The words, word pairs and optional category and author tokens of a paper.
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

/// Term ids of papers, keyed by paper id, so that each paper is tokenized once.
///
/// Not thread-safe: use one cache from one thread at a time.
public final class TermCache {
  public let options: TfidfVectorizer.Options
  private var ids: [String: Int32] = [:]
  private var terms: [String] = []
  private var papers: [String: [Int32]] = [:]

  public init(options: TfidfVectorizer.Options) {
    self.options = options
  }

  public func termIds(of paper: Paper) -> [Int32] {
    if let cached = papers[paper.id] { return cached }
    let result = TfidfVectorizer.terms(of: paper, options: options).map { term -> Int32 in
      if let id = ids[term] { return id }
      let id = Int32(terms.count)
      ids[term] = id
      terms.append(term)
      return id
    }
    papers[paper.id] = result
    return result
  }

  public func term(_ id: Int32) -> String { terms[Int(id)] }
}
