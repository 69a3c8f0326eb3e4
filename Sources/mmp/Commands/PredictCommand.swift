import ArgumentParser
import Foundation
import MMPAdapters
import MMPArtifacts
import MMPCore
import MMPLearn
import MMPParquet
import MMPPipeline

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Apply a model bundle to a CSV or Parquet file.",
        discussion: """
        Verifies the bundle's checksum and format, runs its fitted preprocessing and model, and writes a CSV \
        with the entity columns, `prediction`, and for classifiers one `probability_<class>` column per class. \
        Input and output may be Parquet (by the .parquet extension); Parquet output is PLAIN and dictionary \
        encoded, zstd-compressed.

        --entities instead of --data: the CSV holds entity keys (and any inputs the feature store does not \
        provide); the features of the views the model was trained with are read from this environment's \
        online feature store (run `mmp features materialize` first).

        Time-series models forecast: rows of --data with a target value are history, rows without one \
        are the times to forecast, and --horizon N adds N steps after each series' last observation \
        (without --data: after the training data, for every series). The output holds the entity \
        columns, the timestamp, `step` and `prediction`.
        """
    )

    @Option(help: "Model: a bundle path or file:// URI (as printed by mmp train), runs:/<run_id>/model, models:/<name>/<version> or models:/<name>@<alias>.")
    var model: String

    @Option(help: "CSV or Parquet file with the columns the model was trained on.")
    var data: String?

    @Option(help: "CSV file with entity keys; features come from the online feature store.")
    var entities: String?

    @Option(help: "Time-series models: forecast this many steps after each series' last observation.")
    var horizon: Int?

    @Option(help: "Where to write the predictions: a CSV, or Parquet when it ends in .parquet ('-' for CSV on stdout).")
    var out: String = "-"

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let horizon, horizon < 1 { throw ValidationError("--horizon must be at least 1") }
        if horizon != nil, data == nil, entities == nil { return }
        guard (data == nil) != (entities == nil) else {
            throw ValidationError("give exactly one of --data (all input columns) or --entities (keys; features from the online store)")
        }
    }

    func run() throws {
        let workspace = try Workspace.current(configDirectory: global.configDirectory)
        let bundle = try ModelLocator(workspace: workspace, env: global.appEnv).load(model).bundle
        if data == nil, entities == nil, let horizon {
            return try write(try PredictPipeline.forecast(bundle, input: .empty, horizon: horizon))
        }
        let file = data ?? entities!
        guard FileManager.default.fileExists(atPath: file) else { throw MMPError.notFound("no data file at \(file)") }
        let table = try LocalFilesLoader.read(path: file)
        let predictions: Table
        if entities != nil {
            let config = try workspace.config(env: global.appEnv)
            guard let store = try AdapterRegistry.standard.featureStore(for: config) else {
                throw MMPError(.invalidConfig, "APP_ENV=\(config.env) has no feature store (data_adapters.feature_store is none); use an environment with one (APP_ENV=dev) or pass --data")
            }
            predictions = try PredictPipeline.predictOnline(bundle, entities: table, store: store)
        } else if let horizon {
            predictions = try PredictPipeline.forecast(bundle, input: table, horizon: horizon)
        } else {
            predictions = try PredictPipeline.predict(bundle, input: table)
        }
        try write(predictions)
    }

    private func write(_ predictions: Table) throws {
        if out == "-" {
            StandardStreams.writeOut(CSVWriter.write(predictions))
        } else {
            let bytes = LocalFilesLoader.isParquet(out) ? try ParquetWriter.data(predictions) : Array(CSVWriter.write(predictions).utf8)
            guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else { throw MMPError.io("cannot write \(out)") }
            StandardStreams.writeError("wrote \(predictions.rowCount) predictions to \(out)\n")
        }
    }
}
