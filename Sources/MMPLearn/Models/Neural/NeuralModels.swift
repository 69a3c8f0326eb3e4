import MMPCore

/// Multi-layer perceptrons, scikit-learn's MLPClassifier and MLPRegressor with its defaults
/// (one hidden layer of 100 ReLU units, Adam, L2 alpha 1e-4, batches of 200). The neural
/// option of mmp; the Python tool's deep models get an error naming them (`DeepModels`).
public enum NeuralModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = [
        ModelDescriptor(
            name: "MLPClassifier", aliases: ["sklearn.neural_network.MLPClassifier"], task: .classification,
            summary: "multi-layer perceptron (ReLU, Adam; logistic or softmax output)",
            parameters: parameters, make: { MLPEstimator(settings: try settings($0), classification: true) }),
        ModelDescriptor(
            name: "MLPRegressor", aliases: ["sklearn.neural_network.MLPRegressor"], task: .regression,
            summary: "multi-layer perceptron (ReLU, Adam; squared error)",
            parameters: parameters, make: { MLPEstimator(settings: try settings($0), classification: false) }),
    ]

    public static let trainedTypes: [any TrainedModel.Type] = [TrainedMLP.self]

    static let parameters: [HyperparameterSpec] = [
        HyperparameterSpec("hidden_layer_sizes", .intList(1...100_000), default: [100], "units per hidden layer, e.g. [100] or [64, 32]"),
        HyperparameterSpec("activation", .choice(DenseNetwork.Activation.allCases.map(\.rawValue)), default: "relu", "hidden-layer activation"),
        HyperparameterSpec("solver", .choice(["adam", "sgd"]), default: "adam", "adam, or sgd with momentum at a constant learning rate"),
        HyperparameterSpec("alpha", .double(0...1e6), default: 1e-4, "L2 penalty on the weights"),
        HyperparameterSpec("batch_size", .numberOrChoice(1...1e9, ["auto"]), default: "auto", "rows per mini-batch (auto: min(200, rows))"),
        HyperparameterSpec("learning_rate_init", .double(1e-12...10), default: 1e-3, "step size"),
        HyperparameterSpec("learning_rate", .choice(["constant"]), default: "constant", "step-size schedule (constant only)"),
        HyperparameterSpec("max_iter", .int(1...1_000_000), default: 200, aliases: ["epochs"], "epochs at most"),
        HyperparameterSpec("shuffle", .bool, default: true, "shuffle the rows every epoch"),
        HyperparameterSpec("tol", .double(0...1e6), default: 1e-4, "smallest improvement that counts"),
        HyperparameterSpec("early_stopping", .bool, default: false,
                           "hold out validation_fraction of the training rows and stop when their score stops improving; keep the best epoch"),
        HyperparameterSpec("validation_fraction", .double(1e-6...0.999), default: 0.1, "share of training rows held out for early stopping"),
        HyperparameterSpec("n_iter_no_change", .int(1...1_000_000), default: 10, "epochs without improvement before stopping"),
        HyperparameterSpec("beta_1", .double(0...0.999999), default: 0.9, "Adam's first-moment decay"),
        HyperparameterSpec("beta_2", .double(0...0.999999999), default: 0.999, "Adam's second-moment decay"),
        HyperparameterSpec("epsilon", .double(1e-300...1), default: 1e-8, "Adam's numerical floor"),
        HyperparameterSpec("momentum", .double(0...1), default: 0.9, "sgd momentum"),
        HyperparameterSpec("nesterovs_momentum", .bool, default: true, "sgd: Nesterov's momentum"),
    ]

    static func settings(_ p: Hyperparameters) throws -> MLPSettings {
        let sizes = (p["hidden_layer_sizes"]?.arrayValue ?? []).compactMap(\.intValue)
        return MLPSettings(hiddenSizes: sizes, activation: DenseNetwork.Activation(rawValue: p.string("activation")) ?? .relu,
                           solver: p.string("solver"), alpha: p.double("alpha"),
                           batchSize: p["batch_size"]?.intValue ?? p["batch_size"]?.doubleValue.map { Int($0) },
                           learningRate: p.double("learning_rate_init"), maxIterations: p.int("max_iter"), shuffle: p.bool("shuffle"),
                           tolerance: p.double("tol"), earlyStopping: p.bool("early_stopping"),
                           validationFraction: p.double("validation_fraction"), noChangeEpochs: p.int("n_iter_no_change"),
                           beta1: p.double("beta_1"), beta2: p.double("beta_2"), epsilon: p.double("epsilon"),
                           momentum: p.double("momentum"), nesterov: p.bool("nesterovs_momentum"))
    }
}
