import MMPCore
import MMPLearn

/// One of our models fitted and scored on one benchmark dataset, in this process. Each model
/// runs in its own process (Benchmarks/learn/run.sh) so the peak memory is its own.
public struct LearnBenchRun: Sendable {
    public var model: String
    public var parameters: JSONObject
    public var threads: Int

    public init(model: String, parameters: JSONObject = JSONObject(), threads: Int = CPUInfo.availableCores) {
        self.model = model
        self.parameters = parameters
        self.threads = threads
    }

    /// The benchmark settings that match the anchors' (100 trees, learning rate 0.1, ...).
    public static func defaultParameters(for model: String) -> JSONObject {
        switch model {
        case "GradientBoostingClassifier", "GradientBoostingRegressor":
            return JSONObject([("n_estimators", 100), ("learning_rate", 0.1), ("num_leaves", 31)])
        case "RandomForestClassifier", "RandomForestRegressor":
            return JSONObject([("n_estimators", 100)])
        case "KMeans":
            return JSONObject([("n_clusters", 8), ("n_init", 1), ("max_iter", 100)])
        case "GaussianMixture":
            return JSONObject([("n_components", 8), ("covariance_type", "full"), ("max_iter", 100), ("n_init", 1)])
        case "CatBoostClassifier", "CatBoostRegressor":
            return JSONObject([("iterations", 300), ("depth", 6), ("learning_rate", 0.08), ("l2_leaf_reg", 3)])
        default:
            return JSONObject()
        }
    }

    /// Nil when the model is not in the catalog (yet): the harness prints a note and moves on.
    public func run(on data: LearnBenchData, datasetLoadedMB: Double) throws -> JSONObject? {
        guard let descriptor = ModelCatalog.lookup(model) else { return nil }
        let (params, problems) = descriptor.resolve(parameters)
        if let p = problems.first { throw MMPError(.invalidInput, "\(model): \(p.name): \(p.message)") }
        let estimator = try descriptor.make(params)
        let clustering = descriptor.task == .clustering
        var set = TrainingSet(features: data.train, target: clustering ? [] : data.trainTarget,
                              classCount: data.task == .classification && !clustering ? 2 : 0,
                              featureNames: (0..<data.train.columns).map { "f\($0)" })
        set.categoricalFeatures = data.categorical
        // The seed the pipeline would use: `random_state` when given, else 42 (the anchors' seed).
        let seed = UInt64(bitPattern: Int64(params.optionalInt("random_state") ?? 42))
        let context = FitContext(seed: seed, threads: threads)

        var t0 = Timestamp.monotonic()
        let fitted = try estimator.fit(set, context: context)
        let fitSeconds = Timestamp.monotonic() - t0

        t0 = Timestamp.monotonic()
        let metric: String
        let score: Double
        if clustering {
            _ = fitted.predict(data.test)
            // A mixture reports its BIC on the training rows, k-means its inertia.
            metric = fitted.summary["bic"] != nil ? "bic" : "inertia"
            score = fitted.summary[metric]?.doubleValue ?? .nan
        } else if data.task == .classification, fitted.predictProbabilities(data.test.selecting(rows: [0])) == nil {
            // A classifier without probabilities (SVC's default): accuracy.
            let predicted = fitted.predict(data.test)
            metric = "accuracy"
            score = Double(zip(predicted, data.testTarget).filter { $0 == $1 }.count) / Double(max(1, predicted.count))
        } else if data.task == .classification {
            let probabilities = fitted.predictProbabilities(data.test)!
            let positive = (0..<data.test.rows).map { probabilities[$0, 1] }
            metric = "roc_auc"
            score = BenchScores.rocAUC(truth: data.testTarget, score: positive)
        } else if ["quantile", "reg:quantileerror"].contains(params["objective"]?.stringValue ?? "") {
            // A quantile objective: the pinball loss at its level (LightGBM's quantile metric).
            let alpha = params["alpha"]?.doubleValue ?? 0.9
            metric = "pinball_loss_alpha_\(JSON.format(alpha))"
            score = BenchScores.pinball(truth: data.testTarget, predicted: fitted.predict(data.test), alpha: alpha)
        } else {
            metric = "r2"
            score = BenchScores.r2(truth: data.testTarget, predicted: fitted.predict(data.test))
        }
        let predictSeconds = Timestamp.monotonic() - t0

        return JSONObject([
            ("impl", .string("mmp " + descriptor.name)), ("dataset", .string(data.name)),
            ("fit_s", .double(rounded(fitSeconds))), ("predict_s", .double(rounded(predictSeconds))),
            ("metric", .string(metric)), ("score", .double(score)),
            ("peak_mb", .double(rounded(ProcessMemory.peakMB, 1))), ("baseline_mb", .double(rounded(datasetLoadedMB, 1))),
            ("threads", .int(threads)), ("summary", .object(fitted.summary)),
        ])
    }

    private func rounded(_ x: Double, _ digits: Double = 3) -> Double {
        let scale = Double.pow10(digits)
        return (x * scale).rounded() / scale
    }
}

extension Double {
    fileprivate static func pow10(_ digits: Double) -> Double {
        var x = 1.0
        for _ in 0..<Int(digits) { x *= 10 }
        return x
    }
}

/// The two scores the benchmark reports, computed here so the harness does not depend on
/// which metrics have landed in the catalog.
public enum BenchScores {
    /// Mean pinball loss at level alpha: alpha·(y − ŷ) above the prediction, (1 − alpha)·(ŷ − y) below.
    public static func pinball(truth: [Double], predicted: [Double], alpha: Double) -> Double {
        var total = 0.0
        for (y, p) in zip(truth, predicted) { total += y >= p ? alpha * (y - p) : (1 - alpha) * (p - y) }
        return total / Double(max(1, truth.count))
    }

    /// Area under the ROC curve (ties get the average rank).
    public static func rocAUC(truth: [Double], score: [Double]) -> Double {
        let order = score.indices.sorted { score[$0] < score[$1] }
        var rankSum = 0.0
        var positives = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && score[order[j + 1]] == score[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j where truth[order[k]] == 1 { rankSum += rank; positives += 1 }
            i = j + 1
        }
        let negatives = Double(truth.count) - positives
        guard positives > 0, negatives > 0 else { return .nan }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    public static func r2(truth: [Double], predicted: [Double]) -> Double {
        let mean = truth.reduce(0, +) / Double(max(1, truth.count))
        var residual = 0.0, total = 0.0
        for (y, p) in zip(truth, predicted) { residual += (y - p) * (y - p); total += (y - mean) * (y - mean) }
        return total > 0 ? 1 - residual / total : .nan
    }
}
