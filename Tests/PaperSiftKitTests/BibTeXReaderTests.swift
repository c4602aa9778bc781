import Foundation
import Testing

@testable import PaperSiftKit

/// `@string` macros, `#` concatenation and the month macros of BibTeX input.
@Suite struct BibTeXReaderTests {
  @Test func macroPrefixGivesUrlId() throws {
    let text = """
      @string{ax = "https://arxiv.org/abs/"}
      @article{a, url = ax # "2501.19281"}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(contents.identifiers.map(\.id) == ["2501.19281"])
    #expect(contents.entryCount == 1)
    #expect(contents.skippedEntries.isEmpty)
  }

  @Test func macrosConcatenateCaseInsensitively() throws {
    let text = """
      @STRING{Base = "https://arxiv.org/"}
      @String(absPath = BASE # {abs/})
      @misc{b, howpublished = absPATH # "2505." # {01136} # "v2"}
      @article{c, eprint = "2505" # ".01197"}
      """
    let entries = try BibTeXReader.entries(in: text, source: "refs.bib")
    #expect(entries.count == 2)
    #expect(entries.first?.fields["howpublished"] == "https://arxiv.org/abs/2505.01136v2")
    #expect(entries.last?.fields["eprint"] == "2505.01197")

    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(contents.identifiers.map(\.id) == ["2505.01136", "2505.01197"])
  }

  @Test func laterDefinitionReplacesMacro() throws {
    let text = """
      @string{id = "2501.19281"}
      @article{first, eprint = id}
      @string{ID = "2505.01136"}
      @article{second, eprint = id}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(contents.identifiers.map(\.id) == ["2501.19281", "2505.01136"])
  }

  @Test func monthMacrosExpand() throws {
    let text = """
      @article{m, month = jan, eprint = {2501.19281}}
      @article{n, month = Feb # "~14", eprint = {2502.00001}}
      @article{o, month = DEC, year = 2024, eprint = {2412.00001}}
      """
    let entries = try BibTeXReader.entries(in: text, source: "refs.bib")
    #expect(entries.map { $0.fields["month"] } == ["January", "February~14", "December"])
    #expect(entries.map { $0.fields["year"] } == [nil, nil, "2024"])
    #expect(entries.allSatisfy { $0.undefinedMacros.isEmpty })
  }

  @Test func monthMacroCanBeRedefined() throws {
    let text = """
      @string{jan = "Jan."}
      @article{m, month = jan}
      """
    let entries = try BibTeXReader.entries(in: text, source: "refs.bib")
    #expect(entries.first?.fields["month"] == "Jan.")
  }

  @Test func undefinedMacroEmptiesField() throws {
    let text = """
      @article{u, title = "A " # Nope # "title", url = nope # "2501.19281"}
      """
    let entry = try #require(try BibTeXReader.entries(in: text, source: "refs.bib").first)
    #expect(entry.fields["title"] == "")
    #expect(entry.fields["url"] == "")
    #expect(entry.undefinedMacros == ["title": "Nope", "url": "nope"])
  }

  @Test func undefinedMacroEntriesSkippedWithProblem() throws {
    let text = """
      @article{u, url = nope # "2501.19281"}
      @article{v, eprint = missing}
      @article{w, journal = prl, title = {No id}}
      @article{x, url = nope, eprint = {2505.01197}}
      @article{y, url = nope, doi = {10.48550/arXiv.2505.01136}}
      @string{bad = undefined # "https://arxiv.org/abs/"}
      @misc{z, howpublished = bad # "2503.00001"}
      @misc{t, url = nope, eprint = {2503.2000}}
      """
    let contents = try FeedbackInput.parse(text, source: "refs.bib")
    #expect(contents.identifiers.map(\.id) == ["2505.01197", "2505.01136"])
    #expect(
      contents.skippedEntries == [
        SkippedBibTeXEntry(key: "u", line: 1, problem: "url uses the undefined macro 'nope'"),
        SkippedBibTeXEntry(
          key: "v", line: 2, problem: "eprint uses the undefined macro 'missing'"),
        SkippedBibTeXEntry(key: "w", line: 3, problem: nil),
        SkippedBibTeXEntry(
          key: "z", line: 7, problem: "howpublished uses the undefined macro 'bad'"),
        SkippedBibTeXEntry(
          key: "t", line: 8,
          problem: "invalid eprint '2503.2000' because its number 2000 has 4 digits, but ids "
            + "of the months from 1501 (January 2015) on have 5"),
      ])
    let note = try #require(FeedbackInput.skippedNote(for: contents, source: "refs.bib"))
    #expect(
      note
        == "skipped 1 of 7 BibTeX entries in 'refs.bib' that have no arXiv id: w. To include "
        + "an entry, give it an arXiv id such as eprint = {2501.19281}.")
    let report = try #require(FeedbackInput.invalidIDReport(for: contents, source: "refs.bib"))
    #expect(
      report.hasPrefix(
        """
        Skipped 4 BibTeX entries of 'refs.bib' with an invalid arXiv id:
          u, line 1: url uses the undefined macro 'nope'
          v, line 2: eprint uses the undefined macro 'missing'
          z, line 7: howpublished uses the undefined macro 'bad'
          t, line 8: invalid eprint '2503.2000' because its number 2000 has 4 digits, but ids \
        of the months from 1501 (January 2015) on have 5

        """))
  }

  @Test(arguments: [
    ("@string{ax \"x\"}", "entry @string on line 1, expected a macro 'name = value' on line 1"),
    ("\n@string{ax = \"x\"", "entry @string on line 2, it is not closed"),
    ("@string{ax = }", "entry @string on line 1, field 'ax' has no value"),
  ])
  func malformedStringRejected(text: String, problem: String) {
    let error = #expect(throws: PaperSiftError.self) {
      try BibTeXReader.entries(in: text, source: "refs.bib")
    }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("Invalid BibTeX in 'refs.bib': in the \(problem)") == true)
  }
}
