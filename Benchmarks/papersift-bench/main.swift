import PaperSiftKit
print("bench")
