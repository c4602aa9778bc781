// swift-tools-version:6.0
import PackageDescription

// The encoder's forward pass and the ranking models run about ten times
// slower unoptimised, which made `swift test` (a debug build) take many
// minutes on the real model. The library is optimised in debug builds too;
// tests still use @testable import, which -enable-testing keeps working.
let optimizedInDebug = (
  c: CSetting.unsafeFlags(["-O2"], .when(configuration: .debug)),
  swift: SwiftSetting.unsafeFlags(["-O"], .when(configuration: .debug))
)

let package = Package(
  name: "PaperSift",
  products: [
    .executable(name: "papersift", targets: ["papersift"]),
    .library(name: "PaperSiftKit", targets: ["PaperSiftKit"]),
  ],
  targets: [
    .systemLibrary(
      name: "CCurl",
      pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    .systemLibrary(
      name: "CSQLite",
      pkgConfig: "sqlite3",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    .systemLibrary(
      name: "COpenBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .target(
      name: "CEncoderKernels",
      cSettings: [optimizedInDebug.c]
    ),
    .target(
      name: "PaperSiftKit",
      dependencies: ["CCurl", "CSQLite", "COpenBLAS", "CEncoderKernels"],
      swiftSettings: [optimizedInDebug.swift]
    ),
    .executableTarget(
      name: "papersift",
      dependencies: ["PaperSiftKit"]
    ),
    .executableTarget(
      name: "papersift-bench",
      dependencies: ["PaperSiftKit", "COpenBLAS"],
      path: "Benchmarks/papersift-bench"
    ),
    .testTarget(
      name: "PaperSiftKitTests",
      dependencies: ["PaperSiftKit", "COpenBLAS", "CSQLite"],
      resources: [.copy("Fixtures")]
    ),
  ]
)
