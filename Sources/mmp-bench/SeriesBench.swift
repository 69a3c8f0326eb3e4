import ArgumentParser
import MMPBenchmarks
import MMPCore
import MMPLearn

/// `mmp-bench series`: fits Holt-Winters or ARIMA on every series of a file and prints one JSON
/// line. Benchmarks/learn/timeseries.sh runs it beside statsmodels.
struct SeriesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Fit Holt-Winters (hw) or ARIMA(1,1,1) (arima) on every series of a CSV and print the figures as JSON.")

    @Option(help: "CSV with t,y (one series) or series,t,y (many).") var file: String
    @Option(help: "hw or arima.") var model: String
    @Option(help: "Threads (default: the cores available).") var threads: Int?

    func run() throws {
        guard ["hw", "arima"].contains(model) else { throw ValidationError("--model must be hw or arima") }
        let series = try SeriesBenchRun.load(file)
        let result = try SeriesBenchRun.run(series: series, model: model, threads: threads ?? CPUInfo.availableCores,
                                            datasetLoadedMB: ProcessMemory.peakMB)
        print(JSON.object(result).serialized())
    }
}
