import Foundation
import MMPArtifacts
import MMPConfig
import MMPCore
import MMPAdapters
import MMPLearn
import MMPTestSupport
import Testing
@testable import MMPPipeline

/// Parquet through the whole pipeline: training from a Parquet copy of a CSV gives the same
/// model, and `mmp predict --out x.parquet` writes a file pyarrow reads.
@Suite struct ParquetPipelineTests {
    let fixtures = "\(repoRoot)/Tests/MMPParquetTests/Fixtures"

    func recipe(source: String) throws -> Recipe {
        try RecipeDecoder.decode(try YAMLDocument(path: "churn.yaml", text: """
        name: churn_parquet
        task_choice: classification
        model:
          class_path: sklearn.linear_model.LogisticRegression
          hyperparameters:
            tuning_enabled: false
            values: {C: 0.5, max_iter: 300}
        data:
          loader: {source_uri: \(source)}
          fetcher: {type: pass_through}
          data_interface:
            target_column: churned
            entity_columns: [customer]
            feature_columns: [a, b, visits, segment]
          split: {train: 0.7, validation: 0.1, test: 0.2}
        preprocessor:
          steps:
            - {type: one_hot_encoder, columns: [segment]}
            - {type: standard_scaler}
        evaluation:
          metrics: [accuracy, roc_auc, log_loss]
        """))
    }

    @Test func theSameRecipeFromCSVAndFromItsParquetCopyGivesTheSameModel() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let pipeline = TrainPipeline(config: localConfig(artifactRoot: root))
        let fromCSV = try pipeline.run(TrainingInput(recipe: try recipe(source: "\(fixtures)/churn.csv")))
        let fromParquet = try pipeline.run(TrainingInput(recipe: try recipe(source: "\(fixtures)/churn.parquet")))
        #expect(fromCSV.metrics == fromParquet.metrics)
        #expect(fromCSV.details["data_fingerprint"] == fromParquet.details["data_fingerprint"])
        #expect(fromCSV.details["model_summary"] == fromParquet.details["model_summary"])

        // Both models score every row the same, bit for bit.
        let rows = try CSVReader(source: "churn.csv").read(path: "\(fixtures)/churn.csv")
        var predictions: [Table] = []
        for result in [fromCSV, fromParquet] {
            let bytes = try #require(FileManager.default.contents(atPath: String(result.artifact.uri.dropFirst(7))))
            predictions.append(try PredictPipeline.predict(try BundleCodec.decode([UInt8](bytes), source: result.artifact.uri), input: rows))
        }
        for name in predictions[0].columnNames {
            let a = predictions[0].column(name)!, b = predictions[1].column(name)!
            #expect((0..<rows.rowCount).allSatisfy { a.text(at: $0) == b.text(at: $0) }, "\(name)")
        }
    }

    @Test func predictWritesParquetThatPyarrowReads() throws {
        let python = try TestEnvironment.required("MMP_TEST_PYARROW_PYTHON", for: "a Python with pyarrow (scripts/test.d/pyarrow.sh)")
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let trained = try TrainPipeline(config: localConfig(artifactRoot: root)).run(TrainingInput(recipe: try recipe(source: "\(fixtures)/churn.csv")))
        let out = "\(root)/predictions.parquet"
        let predicted = try run("mmp", ["predict", "--model", trained.artifact.uri, "--data", "\(fixtures)/churn.parquet", "--out", out],
                                environment: childEnvironment())
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let script = """
        import json, sys
        import pyarrow.parquet as pq
        f = pq.ParquetFile(sys.argv[1])
        t = f.read()
        print(json.dumps({"rows": t.num_rows, "names": t.column_names, "types": [str(x) for x in t.schema.types],
                          "codec": f.metadata.row_group(0).column(0).compression,
                          "customer": t.column("customer").to_pylist()[:3], "p1": t.column("probability_1").to_pylist()}))
        """
        let read = try runProcess(python, ["-c", script, out])
        #expect(read.status == 0, "\(read.stderr)")
        let json = try JSON.parse(read.stdout.trimmed())
        #expect(json["rows"]?.intValue == 400)
        #expect(json["names"] == ["customer", "prediction", "probability_0", "probability_1"])
        #expect(json["types"]?.arrayValue?.first == "string")
        #expect(json["codec"] == "ZSTD")
        #expect(json["customer"] == ["c0000", "c0001", "c0002"])
        // The same probabilities as mmp's own CSV output.
        let csv = try run("mmp", ["predict", "--model", trained.artifact.uri, "--data", "\(fixtures)/churn.csv"], environment: childEnvironment())
        let table = try CSVReader(source: "stdout").read(csv.stdout)
        let p1 = (json["p1"]?.arrayValue ?? []).compactMap { $0.doubleValue }
        #expect(p1 == table.column("probability_1")?.doubles)
    }
}
