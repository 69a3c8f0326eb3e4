import ArgumentParser
import MMPBenchmarks
import MMPCore
import MMPLearn

/// `mmp-bench learn`: fits one of our models on one benchmark dataset and prints one JSON line
/// (fit and predict seconds, score, peak and data-loaded memory). Benchmarks/learn/run.sh runs
/// it once per model, each in its own process, beside the Python anchors.
struct LearnBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Fit one model on one benchmark dataset and print its figures as JSON.",
        discussion: "Datasets come from Benchmarks/learn/make_data.py. A model not in the catalog yet prints a skip note.")

    @Option(help: "Folder holding the datasets.") var data = "Benchmarks/learn/data"
    @Option(help: "Dataset name (clf_200k, clf_1m, reg_200k).") var dataset: String
    @Option(help: "Model name or alias from the catalog.") var model: String
    @Option(name: .customLong("param"), help: "Hyperparameter override, key=value (repeatable).") var params: [String] = []
    @Option(help: "Threads (default: the cores available).") var threads: Int?

    func run() throws {
        let loaded = try LearnBenchData.load(folder: data, name: dataset)
        let baseline = ProcessMemory.peakMB
        var parameters = LearnBenchRun.defaultParameters(for: ModelCatalog.lookup(model)?.name ?? model)
        for p in params {
            guard let eq = p.firstIndex(of: "=") else { throw ValidationError("--param expects key=value, got '\(p)'") }
            parameters[String(p[..<eq])] = JSON.inferred(from: String(p[p.index(after: eq)...]))
        }
        let run = LearnBenchRun(model: model, parameters: parameters, threads: threads ?? CPUInfo.availableCores)
        guard let result = try run.run(on: loaded, datasetLoadedMB: baseline) else {
            print(JSON.object(JSONObject([("impl", .string("mmp " + model)), ("dataset", .string(dataset)),
                                         ("skipped", .string("\(model) is not in the model catalog yet"))])).serialized())
            return
        }
        print(JSON.object(result).serialized())
    }
}
