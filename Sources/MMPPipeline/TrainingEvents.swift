import MMPCore

/// The stages of a training run, in order, with their share of the overall progress bar.
public enum TrainingStage: String, Sendable, CaseIterable {
    case load, fetch, split, preprocess, fit, evaluate, save

    /// Share of total progress, by what usually takes the time.
    var weight: Double {
        switch self {
        case .load: return 0.10
        case .fetch: return 0.05
        case .split: return 0.02
        case .preprocess: return 0.05
        case .fit: return 0.70
        case .evaluate: return 0.05
        case .save: return 0.03
        }
    }

    /// Overall progress when this stage is `fraction` done.
    public func overall(_ fraction: Double) -> Double {
        var before = 0.0
        for s in TrainingStage.allCases {
            if s == self { break }
            before += s.weight
        }
        return min(1, before + weight * max(0, min(1, fraction)))
    }
}

/// Where a run reports what it is doing: the CLI prints it, a worker's child process sends it
/// to its supervisor, tests record it.
public struct TrainingEvents: Sendable {
    /// A stage began.
    public var stageStarted: @Sendable (TrainingStage) -> Void
    /// A stage ended, with a one-line summary ("569 rows, 31 columns").
    public var stageFinished: @Sendable (TrainingStage, String, Double) -> Void
    /// Overall progress 0...1.
    public var progress: @Sendable (Double, TrainingStage) -> Void
    /// Whether the run should stop (checked between iterations of long stages).
    public var isCancelled: @Sendable () -> Bool
    /// Something went wrong that does not stop the run (tracking failed): one line for the user.
    public var warning: @Sendable (String) -> Void

    public init(stageStarted: @escaping @Sendable (TrainingStage) -> Void = { _ in },
                stageFinished: @escaping @Sendable (TrainingStage, String, Double) -> Void = { _, _, _ in },
                progress: @escaping @Sendable (Double, TrainingStage) -> Void = { _, _ in },
                isCancelled: @escaping @Sendable () -> Bool = { false },
                warning: @escaping @Sendable (String) -> Void = { StandardStreams.writeError($0.hasSuffix("\n") ? $0 : $0 + "\n") }) {
        self.stageStarted = stageStarted; self.stageFinished = stageFinished; self.progress = progress; self.isCancelled = isCancelled
        self.warning = warning
    }

    public static let silent = TrainingEvents()
}
