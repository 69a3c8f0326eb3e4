import Foundation
import MMPArtifacts
import MMPCore
import Testing

/// The `mmp` executable as users run it: exit codes, messages, output formats.
@Suite struct CommandLineTests {
    func writeRecipe(_ text: String) throws -> (dir: String, path: String) {
        let dir = try temporaryDirectory()
        let path = "\(dir)/recipe.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (dir, path)
    }

    var churn: String { (try? String(contentsOfFile: "\(repoRoot)/recipes/churn_logistic.yaml", encoding: .utf8)) ?? "" }

    /// Acceptance (issue 2): a typo in a field name, a wrong type, a missing target column and an unknown model
    /// each fail `mmp validate` and `mmp train` with the file, the field and the fix.
    @Test(arguments: [
        ("values:", "valuse:", "model.hyperparameters.valuse", "did you mean 'values'"),
        ("train: 0.7", "train: seventy", "data.split.train", "expected a number"),
        ("target_column: churned", "target_column: churn", "data.data_interface.target_column", "did you mean 'churned'"),
        ("class_path: sklearn.linear_model.LogisticRegression", "class_path: sklearn.linear_model.LogisticRegresion",
         "model.class_path", "did you mean"),
    ])
    func brokenRecipesFailWithFileFieldAndFix(_ find: String, _ replace: String, _ field: String, _ fix: String) throws {
        let (dir, path) = try writeRecipe(churn.replacing(find, with: replace))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for command in ["validate", "train"] {
            let result = try run("mmp", [command, path], environment: childEnvironment(["MMP_CONFIG_DIR": "\(repoRoot)/config"]))
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(path), "\(command): \(result.stderr)")
            #expect(result.stderr.contains(field), "\(command): \(result.stderr)")
            #expect(result.stderr.contains(fix), "\(command): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/artifacts"))
        }
    }

    @Test func exitCodesAreZeroOneTwo() throws {
        let env = childEnvironment()
        #expect(try run("mmp", ["validate", "churn_logistic"], environment: env).status == 0)
        #expect(try run("mmp", ["validate", "no_such_recipe"], environment: env).status == 1)
        #expect(try run("mmp", ["validate"], environment: env).status == 2)
        #expect(try run("mmp", ["frobnicate"], environment: env).status == 2)
        #expect(try run("mmp", ["train", "churn_logistic", "--param", "novalue"], environment: env).status == 1)
        let help = try run("mmp", ["--help"], environment: env)
        #expect(help.status == 0)
        #expect(help.stdout.contains("train"))
    }

    @Test func trainJSONPrintsOneObjectAndNothingElse() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = try writeConfig(artifactRoot: root)
        let result = try run("mmp", ["train", "breast_cancer", "--json", "--config-dir", config], environment: childEnvironment())
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSON.parse(result.stdout.trimmed())
        #expect(json["recipe"] == .string("breast_cancer"))
        #expect(json["metrics"]?["roc_auc"]?.doubleValue ?? 0 > 0.95)
        let uri = try #require(json["artifact"]?["uri"]?.stringValue)
        let bytes = try #require(FileManager.default.contents(atPath: String(uri.dropFirst(7))))
        #expect(json["artifact"]?["sha256"]?.stringValue == SHA256.hex([UInt8](bytes)))
        #expect(json["artifact"]?["bytes"]?.intValue == bytes.count)
        #expect(result.stderr.contains("fit"))

        // The human form: stages, a metrics table, the artifact.
        let human = try run("mmp", ["train", "breast_cancer", "--config-dir", config], environment: childEnvironment())
        #expect(human.status == 0)
        for word in ["load", "split", "preprocess", "fit", "evaluate", "save", "roc_auc", "artifact", "file://"] {
            #expect(human.stdout.contains(word), "missing \(word) in \(human.stdout)")
        }
    }

    /// Acceptance (issue 2): a bundle with one flipped byte is refused by `mmp predict` with a checksum error.
    @Test func predictWritesPredictionsAndRefusesAFlippedByte() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = try writeConfig(artifactRoot: root)
        let trained = try run("mmp", ["train", "churn_logistic", "--json", "--config-dir", config], environment: childEnvironment())
        #expect(trained.status == 0, "\(trained.stderr)")
        let uri = try #require(try JSON.parse(trained.stdout.trimmed())["artifact"]?["uri"]?.stringValue)
        let out = "\(root)/predictions.csv"
        let predicted = try run("mmp", ["predict", "--model", uri, "--data", "data/customers.csv", "--out", out], environment: childEnvironment())
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let csv = try String(contentsOfFile: out, encoding: .utf8)
        #expect(csv.hasPrefix("customer_id,prediction,probability_0,probability_1\n"))
        #expect(csv.split(separator: "\n").count == 3001)

        let path = String(uri.dropFirst(7))
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        bytes[bytes.count - 100] ^= 0x20
        let corrupt = "\(root)/corrupt.mmpb"
        #expect(FileManager.default.createFile(atPath: corrupt, contents: Data(bytes)))
        let refused = try run("mmp", ["predict", "--model", corrupt, "--data", "data/customers.csv"], environment: childEnvironment())
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("checksum"))
        #expect(refused.stdout.isEmpty)
    }

    /// Acceptance (issue 2): no secret from the environment appears in `mmp config show`, logs or the bundle.
    @Test func secretsNeverLeaveTheEnvironment() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = try writeConfig(artifactRoot: root, extra: """
          postgresql:
            password: ${POSTGRES_PASSWORD}
        queue:
          redis:
            url: redis://:${REDIS_PASSWORD}@127.0.0.1:6399/0
        """)
        let secrets = ["POSTGRES_PASSWORD": "pg-Secret-4711-xyz", "REDIS_PASSWORD": "redis-Secret-0815-abc", "MY_API_TOKEN": "token-Secret-99"]
        let env = childEnvironment(secrets)
        let shown = try run("mmp", ["config", "show", "--config-dir", config], environment: env)
        let shownJSON = try run("mmp", ["config", "show", "--json", "--config-dir", config], environment: env)
        let trained = try run("mmp", ["train", "breast_cancer", "--json", "--config-dir", config], environment: env)
        #expect(shown.status == 0 && shownJSON.status == 0 && trained.status == 0, "\(trained.stderr)")
        #expect(shown.stdout.contains("***"))
        let uri = try #require(try JSON.parse(trained.stdout.trimmed())["artifact"]?["uri"]?.stringValue)
        let file = [UInt8](FileManager.default.contents(atPath: String(uri.dropFirst(7)))!)
        let body = try Zstd.decompress(Array(file[52...]))
        let haystacks = [shown.stdout, shown.stderr, shownJSON.stdout, trained.stdout, trained.stderr,
                         String(decoding: file, as: UTF8.self), String(decoding: body, as: UTF8.self)]
        for secret in secrets.values {
            for text in haystacks { #expect(!text.contains(secret)) }
        }
    }

    /// A config folder whose storage root is `artifactRoot` and whose CSVs come from the repository.
    func writeConfig(artifactRoot: String, extra: String = "") throws -> String {
        let dir = "\(artifactRoot)/config"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try String(contentsOfFile: "\(repoRoot)/config/base.yaml", encoding: .utf8).write(toFile: "\(dir)/base.yaml", atomically: true, encoding: .utf8)
        try """
        environment: {name: local}
        adapters:
          local_files: {base_path: \(repoRoot)}
          filesystem: {root: \(artifactRoot)/artifacts}
        \(extra)
        """.write(toFile: "\(dir)/local.yaml", atomically: true, encoding: .utf8)
        return dir
    }
}
