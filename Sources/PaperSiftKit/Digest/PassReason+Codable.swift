import Foundation

/// The JSON shape of a pass reason: an object with the case name as `kind`
/// and the associated values under their labels, so every reason has the
/// same key to switch on and none is an empty object.
extension DigestContent.PassReason: Codable {
  private enum CodingKeys: String, CodingKey {
    case kind, number, name, keyword, id, score, text
  }

  private enum Kind: String, Codable {
    case topic, relevantKeyword, likedPaper, earlierPick, likedByUser, followedAuthor
    case auditSample, learnedModel, other
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let kindText = try container.decode(String.self, forKey: .kind)
    guard let kind = Kind(rawValue: kindText) else {
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: container,
        debugDescription: "Unknown reason kind '\(kindText)', expected one of topic, "
          + "relevantKeyword, likedPaper, earlierPick, likedByUser, followedAuthor, auditSample, "
          + "learnedModel or other")
    }
    switch kind {
    case .topic:
      self = .topic(
        number: try container.decode(Int.self, forKey: .number),
        name: try container.decode(String.self, forKey: .name))
    case .relevantKeyword:
      self = .relevantKeyword(keyword: try container.decode(String.self, forKey: .keyword))
    case .likedPaper: self = .likedPaper(id: try container.decode(String.self, forKey: .id))
    case .earlierPick: self = .earlierPick(id: try container.decode(String.self, forKey: .id))
    case .likedByUser: self = .likedByUser
    case .followedAuthor:
      self = .followedAuthor(name: try container.decode(String.self, forKey: .name))
    case .auditSample: self = .auditSample
    case .learnedModel:
      self = .learnedModel(score: try container.decode(Double.self, forKey: .score))
    case .other: self = .other(text: try container.decode(String.self, forKey: .text))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .topic(let number, let name):
      try container.encode(Kind.topic, forKey: .kind)
      try container.encode(number, forKey: .number)
      try container.encode(name, forKey: .name)
    case .relevantKeyword(let keyword):
      try container.encode(Kind.relevantKeyword, forKey: .kind)
      try container.encode(keyword, forKey: .keyword)
    case .likedPaper(let id):
      try container.encode(Kind.likedPaper, forKey: .kind)
      try container.encode(id, forKey: .id)
    case .earlierPick(let id):
      try container.encode(Kind.earlierPick, forKey: .kind)
      try container.encode(id, forKey: .id)
    case .likedByUser:
      try container.encode(Kind.likedByUser, forKey: .kind)
    case .followedAuthor(let name):
      try container.encode(Kind.followedAuthor, forKey: .kind)
      try container.encode(name, forKey: .name)
    case .auditSample:
      try container.encode(Kind.auditSample, forKey: .kind)
    case .learnedModel(let score):
      try container.encode(Kind.learnedModel, forKey: .kind)
      try container.encode(score, forKey: .score)
    case .other(let text):
      try container.encode(Kind.other, forKey: .kind)
      try container.encode(text, forKey: .text)
    }
  }
}
