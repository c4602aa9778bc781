import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ArxivIdentifierTests {
  @Test(
    arguments: [
      ("2501.19281", "2501.19281", nil),
      ("2501.19281v2", "2501.19281", 2),
      ("arXiv:2501.19281", "2501.19281", nil),
      ("arxiv:2501.19281v4", "2501.19281", 4),
      ("https://arxiv.org/abs/2501.19281v3", "2501.19281", 3),
      ("http://arxiv.org/abs/2505.01136v1", "2505.01136", 1),
      ("https://arxiv.org/pdf/2501.19281v1", "2501.19281", 1),
      ("https://arxiv.org/pdf/2501.19281v1.pdf", "2501.19281", 1),
      ("https://export.arxiv.org/abs/2501.1928", "2501.1928", nil),
      ("  2505.00730v1\n", "2505.00730", 1),
      ("hep-th/9901001", "hep-th/9901001", nil),
      ("math.GT/0309136v2", "math.GT/0309136", 2),
    ] as [(String, String, Int?)])
  func acceptedFormParses(text: String, id: String, version: Int?) throws {
    let identifier = try ArxivIdentifier(parsing: text)
    #expect(identifier.id == id)
    #expect(identifier.version == version)
  }

  @Test(arguments: [
    "", "2501", "2513.00001", "2501.19281v0", "2501.19281v", "25011.9281",
    "https://example.org/abs/2501.19281", "https://arxiv.org/list/2501.19281",
    "oai:arXiv.org:2501.19281", "HEP-TH/9901001",
  ])
  func invalidFormIsRejected(text: String) {
    #expect(ArxivIdentifier.parse(text) == nil)
    let error = #expect(throws: PaperSiftError.self) { try ArxivIdentifier(parsing: text) }
    #expect(error?.code == .invalidInput)
    #expect(error?.message.contains("Invalid arXiv id '\(text)'") == true)
    #expect(error?.message.contains("Accepted forms:") == true)
  }

  @Test func descriptionAddsVersion() {
    #expect(ArxivIdentifier(id: "2501.19281", version: 2).description == "2501.19281v2")
    #expect(ArxivIdentifier(id: "hep-th/9901001", version: nil).description == "hep-th/9901001")
  }
}
