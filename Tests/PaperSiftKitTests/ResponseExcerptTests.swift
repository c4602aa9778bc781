import Foundation
import Testing

@testable import PaperSiftKit

@Suite struct ResponseExcerptTests {
  @Test(arguments: [
    (
      "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
        + "Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
      "502 Bad Gateway nginx"
    ),
    ("<html><head><title>Only a title</title></head><body></body></html>", "Only a title"),
    (
      "<!-- a comment --><p>Fish &amp; chips &lt;b&gt; &quot;x&quot; &#8211; &#x2014;&nbsp;end</p>",
      "Fish & chips <b> \"x\" – — end"
    ),
    (
      "<body><script type=\"x\">var a = '<p>no</p>';</script><STYLE>p {}</STYLE>Text</body>",
      "Text"
    ),
    ("  \n<?xml version=\"1.0\"?><error><message>Bad key</message></error>", "Bad key"),
    (
      "{\"error\": {\"message\": \"Bad\\nrequest\"}}\n",
      "{\"error\": {\"message\": \"Bad\\nrequest\"}}"
    ),
    ("line one\nline two\r\n\tthree", "line one line two three"),
    ("<p>&unknown; stays &amp as written</p>", "&unknown; stays &amp as written"),
  ])
  func excerpt(body: String, expected: String) {
    #expect(ResponseExcerpt.text(of: Data(body.utf8)) == expected)
  }

  @Test func htmlContentTypeMarksMarkup() {
    let body = Data("Error: <b>bold</b> text".utf8)
    #expect(ResponseExcerpt.text(of: body) == "Error: <b>bold</b> text")
    #expect(
      ResponseExcerpt.text(of: body, contentType: "text/html; charset=utf-8")
        == "Error: bold text")
  }

  @Test func longBodyIsCutBetweenWords() {
    let text = String(repeating: "abcdefghi ", count: 40)
    let excerpt = ResponseExcerpt.text(of: Data(text.utf8))
    // Each word and its space take 10 characters, so the 30th word ends at 299.
    #expect(excerpt == String(repeating: "abcdefghi ", count: 30).dropLast() + "…")
  }
}
