import Foundation
import PaperSiftKit

/// `papersift rank`: prints the prefilter's ranking of a stored night.
enum RankCommand: Command {
  static let spec = CommandSpec(
    name: "rank",
    abstract: "Print the prefilter's ranking of a night's papers.",
    discussion: """
      The score column orders the night; it is not a probability. Each ranker's scores become
      percentiles within the night, and ranking.combination maps them into (0, 1). Until the
      learned models take part, the only ranker is the cold-start score: the cosine to the
      closest topic or relevant keyword, minus ranking.cold.negativeWeight times the cosine to
      the closest irrelevant or application keyword, plus the mean cosine to the nearest liked
      papers and minus that to the nearest disliked ones (times ranking.cold.likeWeight and
      ranking.cold.dislikeWeight). With the default logit combination the first paper then
      scores 0.990 and the last 0.010. Once the learned models train on enough labelled
      papers, their percentiles join in (ranking.weights). A paper you liked, or one by a
      followed author, gets 1 added, so its score is above 1, and always reaches the LLM; a
      paper you disliked gets 1 subtracted and never does. --explain names the closest topic
      or like, the negative keyword and the closest dislike with what each took off, and the
      models' scores. --json gives them as keys, such as closestNegative and negativePenalty,
      and closestDisliked, dislikedSimilarity and dislikedPenalty. Without a topics file, rank
      stops with exit status 2 as run does, unless likes, dislikes, earlier LLM picks or the
      learned models rank the night. It then warns and ranks by them.
      """,
    options: [
      .value("--date", "YYYY-MM-DD", help: "The night to rank (default: the latest fetched)."),
      .value("--top", "K", help: "Show only the first K papers (1 or more)."),
      .flag(
        "--explain",
        help: "Name the closest topic or liked paper, the negative keyword, the closest disliked "
          + "paper and the models' scores."),
      .flag("--json", help: "Print a JSON array, one object per paper."),
      .value(
        "--topics", "FILE", help: "The topics file (default: ranking.topicsFile in the home)."),
    ])

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    let top = try arguments.int("--top", in: ParsedArguments.paperCounts)
    let requestedDate = try ImportCommand.validatedDate(arguments.string("--date"))
    let configuration = context.configuration
    let database = try context.openDatabase()
    let encoder = try EncoderFactory.make(configuration.embedding, home: context.home)
    let store = StoredRankingInputs(database: database)
    guard let date = try requestedDate ?? store.latestDate() else {
      throw PaperSiftError(.notFound, "No papers fetched yet. Run 'papersift run' first.")
    }
    let topicsURL = TopicsCommand.topicsURL(arguments.string("--topics"), context: context)
    // A missing topics file stops the command as it stops run and score,
    // unless likes, earlier LLM picks or the learned models rank the night.
    var topics: TopicsFile?
    var missingTopics: PaperSiftError?
    do {
      topics = try TopicsFile.load(from: topicsURL)
    } catch let error as PaperSiftError
      where !FileManager.default.fileExists(atPath: topicsURL.path)
    {
      missingTopics = error
    }
    if let missingTopics, try !store.hasFeedbackOrScores() { throw missingTopics }
    // Likes given since the last run, papers imported without a run and,
    // after a change of model, the training papers have no vector yet.
    // Without one they would not count. The lock makes a second rank or run
    // of this home wait and reuse the vectors instead of embedding them too.
    let lock = try EmbeddingLock(url: context.home.embeddingLockURL)
    let embedded = try NightEmbedding.embedForRanking(
      try store.papers(announcedOn: date), encoder: encoder, database: database,
      batchSize: configuration.embedding.batchSize, trainingBefore: date,
      trainingDays: configuration.ranking.model.trainingDays)
    lock.release()
    // Created after embedding, so that a remote encoder's dimension is known.
    let inputs = try StoredRankingInputs(database: database, encoder: encoder)
    let embedder = TopicEmbedding(encoder: encoder)
    let ranking = try NightRanker.rank(
      date: date, inputs: inputs, settings: configuration.ranking, topics: topics,
      embedder: embedder, trainingPapers: embedded.trainingPapers)
    guard !ranking.papers.isEmpty else {
      throw PaperSiftError(
        .notFound,
        "No papers announced on \(date) are in the database. Store the night first with "
          + "'papersift import FILE' or 'papersift fetch', or pick a stored day with "
          + "'papersift papers'.")
    }
    if let missingTopics {
      guard !ranking.isUnranked else { throw missingTopics }
      Logger(label: "rank").warning(
        "No topics file: ranking by likes, earlier LLM picks and learned models only; pass "
          + "--topics FILE",
        [("file", topicsURL.path)])
    }
    if arguments.flag("--json") {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      let items = RankingReport.items(ranking, top: top)
      print(String(decoding: try encoder.encode(items), as: UTF8.self))
    } else {
      print(RankingReport.text(ranking, top: top, explain: arguments.flag("--explain")))
    }
    return .success
  }
}
