import MMPCore

/// The Python tool's `QuantileRegressorEnsemble` (`mmp.models.custom.quantile_ensemble`): one
/// quantile booster per level of `quantiles`, the base named by `base_class_path` (LightGBM's,
/// XGBoost's and CatBoost's class paths all mean mmp's gradient boosting); every other
/// hyperparameter goes to the base.
public enum QuantileModels: ModelFamily {
    static let ownParameters: [HyperparameterSpec] = [
        HyperparameterSpec("base_class_path", .text, default: "lightgbm.LGBMRegressor",
                           "the boosting regressor each quantile is trained with (it must accept objective quantile)"),
        HyperparameterSpec("quantiles", .numberList(0...1), default: .array([0.1, 0.5, 0.9]),
                           "quantile levels in (0, 1); predictions come as pred_p<level×100> columns"),
    ]

    public static let descriptors: [ModelDescriptor] = {
        var d = ModelDescriptor(
            name: "QuantileRegressorEnsemble",
            aliases: ["mmp.models.custom.quantile_ensemble.QuantileRegressorEnsemble", "QuantileEnsemble"],
            task: .regression,
            summary: "one gradient-boosting model per quantile level (pred_pNN columns), rearranged so quantiles never cross",
            parameters: ownParameters,
            make: { p in
                let path = p.string("base_class_path")
                guard let base = ModelCatalog.lookup(path, task: .regression), base.task == .regression,
                      case .success = base.spec(named: "objective")?.accept("quantile") else {
                    throw MMPError(.invalidRecipe, "QuantileRegressorEnsemble: base_class_path '\(path)' cannot fit quantiles; use a gradient boosting regressor (lightgbm.LGBMRegressor, xgboost.XGBRegressor)")
                }
                let levels = (p["quantiles"]?.arrayValue ?? []).compactMap(\.doubleValue)
                guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }), Set(levels).count == levels.count else {
                    throw MMPError(.invalidRecipe, "QuantileRegressorEnsemble: quantiles must be distinct levels strictly between 0 and 1, found \(levels.map { JSON.format($0) }.joined(separator: ", "))")
                }
                var values = JSONObject()
                for (key, value) in p.values where key != "base_class_path" && key != "quantiles" && base.spec(named: key) != nil { values[key] = value }
                return QuantileEnsembleEstimator(base: base, baseValues: values, levels: levels.sorted())
            })
        d.parametersFor = { given in
            let path = given["base_class_path"]?.stringValue ?? "lightgbm.LGBMRegressor"
            guard let base = ModelCatalog.lookup(path, task: .regression), base.task == .regression else { return ownParameters }
            return ownParameters + base.parameters.filter { !["objective", "alpha", "base_class_path", "quantiles"].contains($0.name) }
        }
        return [d]
    }()

    public static let trainedTypes: [any TrainedModel.Type] = [QuantileEnsembleModel.self]
}
