import Foundation
import PaperSiftKit

/// `papersift run`: the nightly job.
enum RunCommand: Command {
  static let spec = CommandSpec(
    name: "run",
    abstract: "Run the nightly job: ingest, embed, rank, score the top slice, write the digest.",
    discussion: """
      Without --input, fetches today's feed of the configured categories. With --date, a
      night already stored is ranked as stored, without fetching the feed (so it works
      offline). Any other day must be the feed's day, else the run stops with exit status 2
      and names both days. The LLM stage
      sends nothing with --no-llm. It also sends nothing, with a warning and exit status 3,
      when the environment variable that llm.apiKeyVariable names (default OPENAI_API_KEY) is
      unset for a server not on this machine; set llm.apiKeyVariable to "" for a server that
      needs no key. The digest then shows the scores that earlier runs of the night stored,
      or, on a night without them, the prefilter's top papers and what scoring them would
      have cost.

      EXIT STATUS: 0 done (also a night with no new papers), 1 failure, 2 invalid command line,
      configuration or input, 3 done but some papers stayed unscored or the API key variable
      is unset (the digest gives the reason), 4 another run holds the home folder, 130 or 143
      interrupted by SIGINT or SIGTERM (a run past the import is recorded as interrupted, and
      the next run sends only the papers still unscored).
      """,
    options: [
      .value(
        "--date", "YYYY-MM-DD",
        help: "The announcement day to rank: a stored night, or the feed's day (the default)."),
      .value(
        "--input", "FILE",
        help: "Import this RSS, Atom or JSON Lines file instead of fetching; repeatable.",
        repeatable: true),
      .value(
        "--top", "K",
        help: "Send the top K papers (1 or more) to the LLM. Pass --no-llm to send none."),
      .value("--fraction", "F", help: "Send the top share F (0 to 1] of the night to the LLM."),
      .value(
        "--cutoff", "auto",
        help: "Use the cutoff stored by 'papersift-bench recall --apply' (the default)."),
      .value(
        "--topics", "FILE", help: "The topics file (default: ranking.topicsFile in the home)."),
      .value("--llm-model", "MODEL", help: "The chat model to score with (default: llm.model)."),
      .value(
        "--llm-base-url", "URL",
        help: "The OpenAI-compatible API base URL, e.g. http://localhost:11434/v1 for Ollama."),
      .flag(
        "--no-llm",
        help: "Send nothing to the LLM. Show the night's stored scores, else the prefilter's top."),
      budgetOption,
      .value("--out", "DIR", help: "Write the digest files here (default: run.outputFolder)."),
      waitOption,
    ])

  /// `--budget USD`, which `run` and `score` take.
  static let budgetOption = OptionSpec.value(
    "--budget", "USD",
    help: "Send no LLM batch whose estimated cost would take this run's spending over USD, an "
      + "amount in US dollars. The budget is per run: a second run may spend it again.")

  /// `--wait SECONDS`, which `run` and `score` take for the run lock of the home folder.
  static let waitOption = OptionSpec.value(
    "--wait", "SECONDS",
    help: "Wait up to SECONDS for another run of the same home to finish (default 0).")

  /// Returns the `--wait` value, 0 when it is not given.
  static func lockWaitSeconds(_ arguments: ParsedArguments) throws -> Double {
    try arguments.double("--wait", in: 0...86_400) ?? 0
  }

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus {
    let options = try makeOptions(arguments)
    let configuration = context.configuration
    // Created first, so that a home that is a file stops with its error alone.
    try context.home.create()
    context.noteNewDatabase()
    let outcome = try NightlyRun(home: context.home, configuration: configuration).execute(
      options)
    // The summary is a notice, so --quiet (errors only) drops it.
    if Logger.minimumLevel <= .notice {
      FileHandle.standardError.write(Data(("papersift: " + outcome.summary + "\n").utf8))
    }
    if let digest = outcome.digest {
      print(digest.markdown.path)
      print(digest.json.path)
    }
    switch outcome.status {
    case .done, .emptyNight: return .success
    case .partial: return .partial
    }
  }

  static func makeOptions(_ arguments: ParsedArguments) throws -> NightlyRunOptions {
    var options = NightlyRunOptions()
    options.date = try ImportCommand.validatedDate(arguments.string("--date"))
    options.inputs = arguments.strings("--input").map { URL(fileURLWithPath: $0) }
    let chosen = ["--top", "--fraction", "--cutoff"].filter { arguments.string($0) != nil }
    guard chosen.count <= 1 else {
      throw PaperSiftError(
        .invalidInput,
        "Pass only one of --top, --fraction and --cutoff, not \(chosen.joined(separator: " and "))."
      )
    }
    if let top = try arguments.int("--top", in: ParsedArguments.paperCounts) {
      options.cutoff = .count(top)
    } else if let text = arguments.string("--fraction"),
      let share = try arguments.double("--fraction")
    {
      // One message for 0 and for 1.5, which echoes the value as typed.
      guard share > 0, share <= 1 else {
        throw PaperSiftError(
          .invalidInput, "Invalid --fraction \(text): expected a share above 0 and at most 1.")
      }
      options.cutoff = .fraction(share)
    } else if let cutoff = arguments.string("--cutoff"), cutoff != "auto" {
      throw PaperSiftError(.invalidInput, "Invalid --cutoff '\(cutoff)': the only value is auto.")
    }
    options.topicsFile = arguments.string("--topics").map { URL(fileURLWithPath: $0) }
    options.llmModel = arguments.string("--llm-model")
    options.llmBaseURL = arguments.string("--llm-base-url")
    options.skipLLM = arguments.flag("--no-llm")
    options.budgetUSD = try arguments.double("--budget", in: 0 ... .infinity)
    options.outputDirectory = arguments.string("--out").map { URL(fileURLWithPath: $0) }
    options.lockWaitSeconds = try lockWaitSeconds(arguments)
    options.handlesInterrupts = true
    return options
  }
}
