import MMPCore

/// The Python modern-ml-pipeline's deep-learning models (PyTorch: TabNet, FT-Transformer,
/// ResNet, LSTM). mmp trains on CPUs in pure Swift and has no such models; a recipe naming one
/// gets an error that says so and what to use instead, rather than "unknown model".
public enum DeepModels {
    public struct Entry: Sendable {
        public var classPath: String
        public var name: String
        public var instead: String
    }

    static let classifierInstead = "MLPClassifier (a multi-layer perceptron) or GradientBoostingClassifier"
    static let regressorInstead = "MLPRegressor (a multi-layer perceptron) or GradientBoostingRegressor"

    /// Their class paths in that tool's catalog (mmp/models/catalog/*/*.yaml).
    public static let entries: [Entry] = [
        Entry(classPath: "mmp.models.custom.tabnet_wrapper.TabNetClassifierWrapper", name: "TabNet", instead: classifierInstead),
        Entry(classPath: "mmp.models.custom.tabnet_wrapper.TabNetRegressorWrapper", name: "TabNet", instead: regressorInstead),
        Entry(classPath: "mmp.models.custom.ft_transformer.FTTransformerClassifier", name: "FT-Transformer", instead: classifierInstead),
        Entry(classPath: "mmp.models.custom.ft_transformer.FTTransformerRegressor", name: "FT-Transformer", instead: regressorInstead),
        Entry(classPath: "rtdl_revisiting_models.ResNetRegressor", name: "ResNet", instead: regressorInstead),
        Entry(classPath: "mmp.models.custom.lstm_timeseries.LSTMTimeSeries", name: "LSTM",
              instead: "a timeseries model (ARIMA, ExponentialSmoothing, LinearTrend) or GradientBoostingRegressor on the lag features"),
    ]

    /// Other spellings of the same models (the libraries' own class names).
    static let otherNames: [String: Int] = [
        "tabnetclassifier": 0, "tabnetclassifierwrapper": 0, "tabnetregressor": 1, "tabnetregressorwrapper": 1,
        "fttransformerclassifier": 2, "fttransformer": 2, "fttransformerregressor": 3,
        "resnetregressor": 4, "resnet": 4, "resnetclassifier": 4, "lstmtimeseries": 5, "lstm": 5,
    ]

    /// The message for a recipe that names one of them, or nil for any other class path.
    public static func refusal(for classPath: String) -> String? {
        let key = classPath.trimmed().lowercased()
        let index = entries.firstIndex { $0.classPath.lowercased() == key }
            ?? otherNames[String(key.split(separator: ".").last ?? "")]
        guard let index else { return nil }
        let entry = entries[index]
        return "'\(classPath)' is \(entry.name), a deep-learning model of the Python modern-ml-pipeline (PyTorch); mmp has no deep-learning models. Use \(entry.instead) instead (`mmp list models` shows them all)"
    }
}
