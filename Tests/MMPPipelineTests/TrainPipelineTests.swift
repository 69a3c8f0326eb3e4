import Foundation
import MMPAdapters
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPLearn
import Testing
@testable import MMPPipeline

@Suite struct TrainPipelineTests {
    /// Acceptance (issue 2): `mmp train` on the example recipes matches scikit-learn's scores on
    /// the same split within 0.01. References: scripts/reference/linear_reference.py.
    @Test(arguments: ["churn_logistic", "breast_cancer", "house_prices_ridge"])
    func exampleRecipesMatchScikitLearn(_ name: String) throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: try loadRecipe(name)))
        let reference = try referenceFixture("recipe_\(name)")
        let expected = try #require(reference["metrics"]?.objectValue)
        let tolerance = reference["tolerance"]?.doubleValue ?? 0.01
        #expect(!expected.isEmpty)
        for (metric, value) in expected {
            let ours = try #require(result.metrics[metric]?.doubleValue, "metric \(metric) missing from \(result.metrics.keys)")
            let theirs = try #require(value.doubleValue)
            // Scores within 0.01; error metrics in the target's units relative to their size.
            let scale = ["rmse", "mae", "mse"].contains(metric) ? max(1, abs(theirs)) : 1
            #expect(abs(ours - theirs) <= tolerance * scale, "\(name) \(metric): ours \(ours), scikit-learn \(theirs)")
        }
        #expect(result.artifact.uri.hasPrefix("file://\(root)/\(name)/"))
    }

    @Test func bundleRoundTripsAndPredictsLikeTheTrainedModel() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: try loadRecipe("churn_logistic"), jobID: "job-1"))
        let bytes = try FilesystemStorage(root: root).fetch(result.artifact.uri)
        #expect(SHA256.hex(bytes) == result.artifact.sha256)
        #expect(bytes.count == result.artifact.bytes)
        let bundle = try BundleCodec.decode(bytes)
        #expect(bundle.recipeName == "churn_logistic")
        #expect(bundle.jobID == "job-1")
        #expect(bundle.labels?.classes == ["0", "1"])
        #expect(bundle.metrics["accuracy"]?.doubleValue == result.metrics["accuracy"]?.doubleValue)
        #expect(bundle.recipeSnapshot["name"] == JSON.string("churn_logistic"))

        let data = try CSVReader().read(bytes: [UInt8](FileManager.default.contents(atPath: "\(repoRoot)/data/customers.csv")!))
        let predictions = try PredictPipeline.predict(bundle, input: data)
        #expect(predictions.columnNames == ["customer_id", "prediction", "probability_0", "probability_1"])
        #expect(predictions.rowCount == data.rowCount)
        let p0 = try #require(predictions.column("probability_0")?.doubles)
        let p1 = try #require(predictions.column("probability_1")?.doubles)
        for i in 0..<p0.count { #expect(abs(p0[i] + p1[i] - 1) < 1e-9) }
        // Accuracy over all rows is near the test accuracy (the model generalises, labels line up).
        let truth = data.column("churned")!.doubles!
        let predicted = predictions.column("prediction")!.doubles!
        let accuracy = Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(truth.count)
        #expect(abs(accuracy - result.metrics["accuracy"]!.doubleValue!) < 0.05)
    }

    @Test func corruptBundlesAreRefusedWithTheirReason() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: try loadRecipe("breast_cancer")))
        let good = try FilesystemStorage(root: root).fetch(result.artifact.uri)
        var flipped = good
        flipped[flipped.count / 2] ^= 0x01
        let checksum = #expect(throws: MMPError.self) { try BundleCodec.decode(flipped) }
        #expect(checksum?.message.contains("checksum") == true)
        let truncated = #expect(throws: MMPError.self) { try BundleCodec.decode(Array(good.prefix(good.count - 10))) }
        #expect(truncated?.message.contains("truncated") == true)
        let foreign = #expect(throws: MMPError.self) { try BundleCodec.decode(Array("name,value\n1,2\n".utf8)) }
        #expect(foreign?.message.contains("not an mmp model bundle") == true)
        var newer = good
        newer[8] = 99
        let version = #expect(throws: MMPError.self) { try BundleCodec.decode(newer) }
        #expect(version?.message.contains("format 99") == true)
    }

    @Test func storagePathsNeverEscapeTheRoot() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = try FilesystemStorage(root: root)
        for name in ["../../etc/passwd", "/absolute", "..", "a/../../b", "", "名前 with spaces", ".hidden"] {
            let stored = try storage.store([1, 2, 3], recipe: name, jobID: "../x")
            let path = String(stored.uri.dropFirst("file://".count))
            #expect(path.hasPrefix(root + "/"), "\(name) → \(path)")
            #expect(!path.dropFirst(root.count).contains(".."), "\(name) → \(path)")
        }
    }

    @Test func stagesAreReportedInOrderWithProgressRising() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorder = EventRecorder()
        let events = TrainingEvents(stageStarted: { recorder.add("start \($0.rawValue)") },
                                    stageFinished: { s, _, _ in recorder.add("end \(s.rawValue)") },
                                    progress: { p, _ in recorder.progress(p) })
        _ = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: try loadRecipe("breast_cancer")), events: events)
        #expect(recorder.lines == ["load", "split", "preprocess", "fit", "evaluate", "save"].flatMap { ["start \($0)", "end \($0)"] })
        #expect(recorder.values == recorder.values.sorted())
        #expect(recorder.values.last == 1)
    }

    @Test func missingTargetRowsAreDroppedAndCounted() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let csv = "id,x,y\n" + (0..<200).map { i in "\(i),\(Double(i) / 10),\(i % 7 == 0 ? "" : String(i % 2))" }.joined(separator: "\n") + "\n"
        let dataPath = "\(root)/data.csv"
        try csv.write(toFile: dataPath, atomically: true, encoding: .utf8)
        let yaml = """
        name: t
        task_choice: classification
        model: {class_path: LogisticRegression}
        data:
          loader: {source_uri: \(dataPath)}
          data_interface: {target_column: y, entity_columns: [id]}
        """
        let recipe = try RecipeDecoder.decode(try YAMLDocument(path: "t.yaml", text: yaml))
        let result = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: recipe))
        #expect(result.details["rows"]?["dropped_missing_target"] == .int(29))
        #expect(result.details["rows"]?["loaded"] == .int(200))
    }
}

final class EventRecorder: @unchecked Sendable {
    // Events arrive on the training thread only; the lock keeps the checker honest anyway.
    private let lock = NSLock()
    private(set) var lines: [String] = []
    private(set) var values: [Double] = []
    func add(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    func progress(_ p: Double) { lock.lock(); values.append(p); lock.unlock() }
}

@Suite struct TunedCalibratedRecipeTests {
    /// Tuning (TPE over the recipe's space, scored on validation), then calibration on the
    /// calibration split: the trial history and best score reach the result and the bundle, and
    /// the bundle predicts with the calibrated model.
    @Test func tunesCalibratesAndStoresTheHistory() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recipe = try loadRecipe("churn_boosting_tuned", overrides: [("model.hyperparameters.n_trials", "6")])
        let result = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: recipe))
        let tuning = try #require(result.details["tuning"])
        #expect(tuning["trials"]?.arrayValue?.count == 6)
        #expect(tuning["metric"] == .string("roc_auc"))
        let best = try #require(tuning["best_score"]?.doubleValue)
        #expect(result.metrics["tuning_best_roc_auc"]?.doubleValue == best)
        #expect(best > 0.75)
        #expect(result.metrics["roc_auc"]?.doubleValue ?? 0 > 0.75)
        #expect(result.details["rows"]?["calibration"]?.intValue == 300)
        #expect(result.details["model_summary"]?["calibration"] == .string("sigmoid"))

        let bundle = try BundleCodec.decode(try FilesystemStorage(root: root).fetch(result.artifact.uri))
        #expect(bundle.tuning?["trials"]?.arrayValue?.count == 6)
        #expect(type(of: bundle.model).typeName == "calibrated_classifier.v1")
        let data = try CSVReader().read(bytes: [UInt8](FileManager.default.contents(atPath: "\(repoRoot)/data/customers.csv")!))
        let predictions = try PredictPipeline.predict(bundle, input: data.head(50))
        #expect(predictions.columnNames == ["customer_id", "prediction", "probability_0", "probability_1"])
    }

    @Test func calibrationRulesAreChecked() throws {
        var text = try String(contentsOfFile: "\(repoRoot)/recipes/churn_boosting_tuned.yaml", encoding: .utf8)
        text = text.replacing("calibration: 0.1\n    test: 0.15", with: "test: 0.25")
        let error = #expect(throws: MMPError.self) { try RecipeDecoder.decode(try YAMLDocument(path: "r.yaml", text: text)) }
        #expect(error?.message.contains("data.split.calibration") == true)
        let unused = try String(contentsOfFile: "\(repoRoot)/recipes/churn_boosting_tuned.yaml", encoding: .utf8)
            .replacing("enabled: true", with: "enabled: false")
        let unusedError = #expect(throws: MMPError.self) { try RecipeDecoder.decode(try YAMLDocument(path: "r.yaml", text: unused)) }
        #expect(unusedError?.message.contains("only used when model.calibration.enabled") == true)
    }
}
