#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPLearn

/// The time-series benchmark's run of ours: every series of a file fitted with Holt-Winters
/// (additive trend and season, period 12) or ARIMA(1, 1, 1), in parallel over series as the
/// timeseries pipeline fits them.
public enum SeriesBenchRun {
    /// Series in the file: `t,y` (one series) or `series,t,y` (many), in file order.
    public static func load(_ path: String) throws -> [[Double]] {
        let table = try CSVReader(source: path).read(bytes: try LearnBenchData.readBytes(path))
        guard let y = table.columns.last?.doubles else { throw MMPError.invalidData("\(path): the last column must hold numbers") }
        guard table.columns.count == 3, let ids = table.columns.first?.doubles else { return [y] }
        var out: [[Double]] = []
        var current = Double.nan
        for (id, v) in zip(ids, y) {
            if id != current { out.append([]); current = id }
            out[out.count - 1].append(v)
        }
        return out
    }

    /// User and system CPU time of the process, every thread together.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    public static func run(series: [[Double]], model: String, threads: Int, datasetLoadedMB: Double) throws -> JSONObject {
        let values = model == "hw"
            ? JSONObject([("trend", .string("add")), ("seasonal", .string("add")), ("seasonal_periods", .int(12))])
            : JSONObject([("order_p", .int(1)), ("order_d", .int(1)), ("order_q", .int(1))])
        let descriptor = try ModelCatalog.require(model == "hw" ? "ExponentialSmoothing" : "ARIMA")
        let (parameters, problems) = descriptor.resolve(values)
        guard problems.isEmpty, let estimator = try descriptor.make(parameters) as? any SeriesEstimator else {
            throw MMPError.invalidData("cannot build \(descriptor.name): \(problems)")
        }
        let fits = UnsafeMutableBufferPointer<SeriesFit?>.allocate(capacity: series.count)
        fits.initialize(repeating: nil)
        defer { fits.deinitialize(); fits.deallocate() }
        let failures = UnsafeMutableBufferPointer<String?>.allocate(capacity: series.count)
        failures.initialize(repeating: nil)
        defer { failures.deinitialize(); failures.deallocate() }
        let start = Timestamp.monotonic()
        let cpuStart = cpuSeconds()
        WorkerPool(threads: threads).run(tasks: series.count) { i, _ in
            do { fits[i] = try estimator.fitSeries(series[i]) } catch { failures[i] = "\(error)" }
        }
        let seconds = Timestamp.monotonic() - start
        let cpu = cpuSeconds() - cpuStart
        if let failure = failures.compactMap({ $0 }).first { throw MMPError.invalidData(failure) }
        let key = model == "hw" ? "sse" : "log_likelihood"
        let score = fits.reduce(0) { $0 + ($1?.summary[key]?.doubleValue ?? .nan) }
        return JSONObject([
            ("impl", .string("mmp \(descriptor.name)")), ("model", .string(model)), ("series", .int(series.count)),
            ("points", .int(series.reduce(0) { $0 + $1.count })), ("fit_seconds", .double((seconds * 1000).rounded() / 1000)),
            ("cpu_seconds", .double((cpu * 1000).rounded() / 1000)),
            ("metric", .string(key)), ("score", .double(score)),
            ("peak_mb", .double((ProcessMemory.peakMB * 10).rounded() / 10)), ("baseline_mb", .double((datasetLoadedMB * 10).rounded() / 10)),
            ("threads", .int(threads)),
        ])
    }
}
