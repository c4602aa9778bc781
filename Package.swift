// swift-tools-version:6.0
import PackageDescription

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
      name: "CEncoderKernels"
    ),
    .target(
      name: "PaperSiftKit",
      dependencies: ["CCurl", "CSQLite", "COpenBLAS", "CEncoderKernels"]
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
      dependencies: ["PaperSiftKit", "COpenBLAS"],
      resources: [.copy("Fixtures")]
    ),
  ]
)
