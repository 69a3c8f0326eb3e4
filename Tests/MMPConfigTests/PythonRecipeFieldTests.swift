import Foundation
import MMPCore
import Testing
@testable import MMPConfig

/// Fields the Python tool's recipe template writes, and the time-series and causal columns.
@Suite struct PythonRecipeFieldTests {
    func decode(_ text: String) throws -> Recipe {
        try RecipeDecoder.decode(try YAMLDocument(path: "recipes/test.yaml", text: text))
    }

    func problems(_ text: String) -> String {
        do { _ = try decode(text); return "" } catch { return MMPError.wrap(error).message }
    }

    static let featureStore = """
    name: fs
    task_choice: classification
    data:
      loader:
        source_uri: data/orders.csv
      fetcher:
        type: feature_store
        feature_views:
          user_demographics:
            join_key: user_id
            features: [age, country]
          user_purchase_summary:
            features: [purchases_7d]
        timestamp_column: event_timestamp
      data_interface:
        entity_columns:
          - user_id
        feature_columns: null
        target_column: churned
      split:
        train: 0.7
        validation: 0.15
        test: 0.15
    preprocessor: null
    model:
      class_path: sklearn.linear_model.LogisticRegression
      library: scikit-learn
      calibration:
        enabled: false
      hyperparameters:
        tuning_enabled: false
        values:
          C: 1.0
    monitoring:
      enabled: true
      data_drift:
        psi_threshold_warning: 0.1
        psi_threshold_alert: 0.2
        missing_rate_threshold: 0.05
      prediction_drift:
        psi_threshold: 0.2
        extrapolation_threshold: 0.05
    metadata:
      author: CLI Recipe Builder
      description: "Classification task using scikit-learn"
      tuning_note: "Optuna 하이퍼파라미터 튜닝 활성화"
    """

    @Test func templateFieldsDecode() throws {
        let r = try decode(Self.featureStore)
        #expect(r.data.fetcher.featureViews == [FeatureViewSelection(name: "user_demographics", features: ["age", "country"], joinKey: "user_id"),
                                               FeatureViewSelection(name: "user_purchase_summary", features: ["purchases_7d"])])
        #expect(r.data.dataInterface.featureColumns == nil)
        #expect(r.preprocessor.isEmpty)
        #expect(r.model.calibrationMethod == nil)
        #expect(r.monitoring == MonitoringSection())
        #expect(r.metadata["tuning_note"]?.stringValue == "Optuna 하이퍼파라미터 튜닝 활성화")
        // The snapshot stored with the bundle keeps monitoring as written.
        #expect(r.snapshot["monitoring"]?["prediction_drift"]?["psi_threshold"]?.doubleValue == 0.2)
    }

    @Test func joinKeyMustBeAnEntityColumn() {
        let text = Self.featureStore.replacingOccurrences(of: "join_key: user_id", with: "join_key: customer_id")
        let message = problems(text)
        #expect(message.contains("data.fetcher.feature_views.user_demographics.join_key"), "\(message)")
        #expect(message.contains("'customer_id' is not one of data.data_interface.entity_columns (user_id)"), "\(message)")
    }

    @Test func monitoringIsValidated() {
        let text = Self.featureStore
            .replacingOccurrences(of: "psi_threshold_alert: 0.2", with: "psi_threshold_alert: 0.05")
            .replacingOccurrences(of: "extrapolation_threshold: 0.05", with: "extrapolation_threshold: lots")
            .replacingOccurrences(of: "  enabled: true\n  data_drift", with: "  enabled: true\n  alerts: email\n  data_drift")
        let message = problems(text)
        #expect(message.contains("monitoring.data_drift.psi_threshold_alert"), "\(message)")
        #expect(message.contains("monitoring.prediction_drift.extrapolation_threshold: expected a number"), "\(message)")
        #expect(message.contains("monitoring.alerts: unknown field"), "\(message)")
    }

    static let timeseries = """
    name: ts
    task_choice: timeseries
    data:
      loader: {source_uri: data/co2_monthly.csv}
      fetcher: {type: pass_through}
      data_interface:
        entity_columns: []
        feature_columns: null
        target_column: co2
        timestamp_column: date
      split: {train: 0.7, validation: 0.15, test: 0.15}
    model:
      class_path: mmp.models.custom.timeseries_wrappers.ARIMA
      library: statsmodels
      hyperparameters: {tuning_enabled: false, values: {order_p: 1, order_d: 1, order_q: 1}}
    """

    @Test func timeseriesNeedsATimestampAndSplitsByTime() throws {
        let r = try decode(Self.timeseries)
        #expect(r.task == .timeseries)
        #expect(r.data.split.strategy == .temporal)
        #expect(r.data.split.temporalColumn == "date")
        let message = problems(Self.timeseries.replacingOccurrences(of: "    timestamp_column: date\n", with: ""))
        #expect(message.contains("data.data_interface.timestamp_column: a timeseries recipe needs timestamp_column"), "\(message)")
        let random = problems(Self.timeseries.replacingOccurrences(of: "split: {train: 0.7,", with: "split: {strategy: random, train: 0.7,"))
        #expect(random.contains("split chronologically"), "\(random)")
    }

    static let causal = """
    name: uplift
    task_choice: causal
    data:
      loader: {source_uri: data/uplift.csv}
      fetcher: {type: pass_through}
      data_interface:
        entity_columns: [user_id]
        feature_columns: null
        target_column: revenue
        treatment_column: group
      split: {train: 0.7, validation: 0.15, test: 0.15}
    model:
      class_path: causalml.inference.meta.LRSRegressor
      library: causalml
      hyperparameters: {tuning_enabled: false, values: {control_name: control, ate_alpha: 0.05}}
    """

    @Test func causalNeedsATreatmentColumn() throws {
        let r = try decode(Self.causal)
        #expect(r.data.dataInterface.treatmentColumn == "group")
        let missing = problems(Self.causal.replacingOccurrences(of: "    treatment_column: group\n", with: ""))
        #expect(missing.contains("a causal recipe needs treatment_column"), "\(missing)")
        let clash = problems(Self.causal.replacingOccurrences(of: "treatment_column: group", with: "treatment_column: revenue"))
        #expect(clash.contains("'revenue' is the target column"), "\(clash)")
        let elsewhere = problems(Self.causal.replacingOccurrences(of: "task_choice: causal", with: "task_choice: regression"))
        #expect(elsewhere.contains("treatment_column is read by causal recipes only"), "\(elsewhere)")
    }
}
