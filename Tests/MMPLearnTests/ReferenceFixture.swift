import Foundation
import MMPCore
import MMPLearn
import Testing

/// The JSON fixtures written by `scripts/reference/*.py` (scikit-learn's figures on our data and
/// splits), and the CSVs under `data/` they were computed from.
///
/// Fixtures are copied into the test bundle (`resources: [.copy("Fixtures")]`); when the bundle
/// copy is missing (an IDE run without resources) they are read from the source folder.
enum ReferenceFixture {
    /// The repository root, found from this file's path (Tests/MMPLearnTests/ReferenceFixture.swift).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let directory: URL = {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url }
        return URL(fileURLWithPath: repositoryRoot).appendingPathComponent("Tests/MMPLearnTests/Fixtures")
    }()

    /// The fixture `name` (without `.json`), parsed.
    static func load(_ name: String) throws -> JSON {
        let url = directory.appendingPathComponent(name + ".json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MMPError.notFound("fixture \(name).json is not in \(directory.path); run the script in scripts/reference/ that writes it")
        }
        return try JSON.parse(bytes: [UInt8](data))
    }

    /// Names (without `.json`) of the fixtures starting with `prefix`, sorted: the arguments of
    /// a parameterised test that checks every case a script wrote.
    static func names(prefix: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }
            .sorted()
    }

    /// A CSV under `data/`, read the way `mmp train` reads it.
    static func dataset(_ file: String) throws -> Table {
        let path = repositoryRoot + "/data/" + file
        guard let data = FileManager.default.contents(atPath: path) else { throw MMPError.notFound("no dataset at \(path)") }
        return try CSVReader(source: file).read(bytes: [UInt8](data))
    }
}

extension JSON {
    /// The member `key`, or a test failure naming it.
    func require(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
        try #require(self[key], "fixture has no '\(key)'", sourceLocation: sourceLocation)
    }

    /// A list of numbers (nulls read as NaN), or a test failure.
    func doubles(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Double] {
        let list = try #require(self[key]?.arrayValue, "fixture has no list '\(key)'", sourceLocation: sourceLocation)
        return list.map { $0.doubleValue ?? .nan }
    }

    /// A number, or a test failure.
    func double(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        try #require(self[key]?.doubleValue, "fixture has no number '\(key)'", sourceLocation: sourceLocation)
    }
}
