import Foundation
import MMPAdapters
import MMPConfig
import MMPCore
import MMPTestSupport
import Testing

@Suite("Feature view declarations")
struct FeatureViewTests {
    func folder(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "mmp-fv-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8) }
        return dir
    }

    @Test("a view file decodes: source schema and table, entities, timestamp, ttl, features")
    func decodes() throws {
        let dir = try folder(["users.yaml": """
            name: user_demographics
            description: Profile facts
            source: features.user_demographics
            entities: [user_id]
            timestamp_column: event_timestamp
            ttl: 400d
            features:
              - age
              - name: country
                description: ISO code
            """])
        let catalog = try FeatureViewCatalog.load(directory: dir)
        let view = try catalog.view("user_demographics")
        #expect(view.schema == "features")
        #expect(view.table == "user_demographics")
        #expect(view.qualifiedTable == "\"features\".\"user_demographics\"")
        #expect(view.entities == ["user_id"])
        #expect(view.timestampColumn == "event_timestamp")
        #expect(view.ttl == Double(400 * 86400))
        #expect(view.features == ["age", "country"])
        #expect(view.description == "Profile facts")
    }

    @Test("every problem in a view file is listed with its line")
    func problems() throws {
        let dir = try folder(["bad.yaml": """
            name: broken
            source: a.b.c
            entities: [user_id]
            ttl: soon
            features: [user_id, x, x]
            colour: red
            """])
        let error = try #require(caught { _ = try FeatureViewCatalog.load(directory: dir) })
        #expect(error.kind == .invalidConfig)
        #expect(error.message.contains("bad.yaml:2: source: expected [schema.]table"))
        #expect(error.message.contains("timestamp_column: required field is missing"))
        #expect(error.message.contains("bad.yaml:4: ttl:"))
        #expect(error.message.contains("'user_id' is an entity or timestamp column"))
        #expect(error.message.contains("'x' is listed twice"))
        #expect(error.message.contains("bad.yaml:6: colour: unknown field"))
    }

    @Test("identifiers are quoted so no name can break out of the SQL")
    func quoting() {
        #expect(SQLIdentifier.quote("plain") == "\"plain\"")
        #expect(SQLIdentifier.quote("we\"ird; DROP TABLE x") == "\"we\"\"ird; DROP TABLE x\"")
    }

    @Test("selections resolve against the catalog; unknown names get suggestions")
    func selections() throws {
        let catalog = FeatureViewCatalog(views: [
            FeatureView(name: "users", schema: nil, table: "users", entities: ["user_id"], timestampColumn: "ts", ttl: nil, features: ["age", "country"]),
        ])
        let all = try catalog.resolve([FeatureViewSelection(name: "users", features: nil)])
        #expect(all[0].features == ["age", "country"])
        let some = try catalog.resolve([FeatureViewSelection(name: "users", features: ["country"])])
        #expect(some[0].features == ["country"])
        let e1 = try #require(caught { _ = try catalog.resolve([FeatureViewSelection(name: "user", features: nil)]) })
        #expect(e1.message.contains("did you mean 'users'?"))
        let e2 = try #require(caught { _ = try catalog.resolve([FeatureViewSelection(name: "users", features: ["agee"])]) })
        #expect(e2.message.contains("has no feature 'agee'; did you mean 'age'?"))
    }

    @Test("the same view name in two files is refused")
    func duplicates() throws {
        let view = "name: v\nsource: t\nentities: [k]\ntimestamp_column: ts\nfeatures: [f]\n"
        let dir = try folder(["a.yaml": view, "b.yaml": view])
        let error = try #require(caught { _ = try FeatureViewCatalog.load(directory: dir) })
        #expect(error.message.contains("'v' is declared twice"))
    }

    @Test("the repository's features/ folder declares the seed's three views")
    func repositoryViews() throws {
        let root = TestEnvironment.repoRoot
        let catalog = try FeatureViewCatalog.load(directory: "\(root)/features")
        #expect(Set(catalog.names).isSuperset(of: ["user_demographics", "user_purchase_summary", "product_details"]))
    }
}

@Suite("Feature view join keys (the Python tool's mapping form)")
struct FeatureViewJoinKeyTests {
    @Test("join_key must name one of the view's entities; the error says which it may be")
    func joinKeyIsChecked() throws {
        let catalog = try FeatureViewCatalog.load(directory: "\(TestEnvironment.repoRoot)/features")
        let good = try catalog.resolve([FeatureViewSelection(name: "user_demographics", features: ["age", "country"], joinKey: "user_id")])
        #expect(good.first?.features == ["age", "country"])
        do {
            _ = try catalog.resolve([FeatureViewSelection(name: "user_demographics", features: ["age"], joinKey: "usr_id")])
            Issue.record("a join key that is not an entity of the view was accepted")
        } catch let error as MMPError {
            #expect(error.message.contains("feature view 'user_demographics' cannot be joined on 'usr_id'"), "\(error.message)")
            #expect(error.message.contains("join_key must be its entity 'user_id'"), "\(error.message)")
            #expect(error.message.contains("did you mean 'user_id'?"), "\(error.message)")
        }
    }
}
