import ArgumentParser
import MMPBenchmarks
import MMPCore

/// `mmp-bench data`: loads a CSV or Parquet file through the `local_files` loader and prints one
/// JSON line per run. Benchmarks/data/run.sh runs it beside pandas and pyarrow on the same files.
struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Load a CSV or Parquet file into a table: time and peak memory (see Benchmarks/data/run.sh)."
    )

    @Option(help: "The file to load.") var file: String
    @Option(name: .customLong("repeat"), help: "Runs (each prints a JSON line).") var runs = 1

    func run() throws {
        let baseline = DataLoadBench.peakRSS()
        for i in 0..<runs {
            // The table of one run is released before the next starts: the peak is one table's.
            let run = try DataLoadBench.load(path: file).1
            let line = JSON.object(JSONObject([
                ("impl", .string("mmp")), ("file", .string(file)), ("run", .int(i + 1)), ("seconds", .double(run.seconds)),
                ("rows", .int(run.rows)), ("columns", .int(run.columns)),
                ("table_mb", .double(Double(run.tableBytes) / 1e6)),
                ("peak_rss_mb", .double(Double(DataLoadBench.peakRSS()) / 1e6)),
                ("baseline_rss_mb", .double(Double(baseline) / 1e6)),
            ]))
            print(line.serialized())
        }
    }
}
