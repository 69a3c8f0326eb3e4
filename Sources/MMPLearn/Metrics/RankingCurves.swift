/// Threshold curves of a binary score, the way scikit-learn's `_binary_clf_curve` builds them:
/// scores sorted descending, one point per distinct score, so tied scores move together.
enum RankingCurves {
    /// Cumulative (false positives, true positives) at each distinct score, highest first.
    static func cumulativeCounts(positive: [Bool], score: [Double]) -> (fps: [Double], tps: [Double]) {
        let order = score.indices.sorted { score[$0] > score[$1] || (score[$0] == score[$1] && $0 < $1) }
        var fps: [Double] = [], tps: [Double] = []
        var fp = 0.0, tp = 0.0
        for (k, i) in order.enumerated() {
            if positive[i] { tp += 1 } else { fp += 1 }
            // A point closes where the next score differs (or at the end).
            if k == order.count - 1 || score[order[k + 1]] != score[i] {
                fps.append(fp)
                tps.append(tp)
            }
        }
        return (fps, tps)
    }

    /// Area under the ROC curve (trapezoids, so ties count half); nil unless both classes occur.
    static func rocAUC(positive: [Bool], score: [Double]) -> Double? {
        guard score.allSatisfy({ !$0.isNaN }) else { return nil }
        let (fps, tps) = cumulativeCounts(positive: positive, score: score)
        guard let p = tps.last, let n = fps.last, p > 0, n > 0 else { return nil }
        var area = 0.0, previousF = 0.0, previousT = 0.0
        for (f, t) in zip(fps, tps) {
            area += (f - previousF) * (t + previousT) / 2
            previousF = f
            previousT = t
        }
        return area / (p * n)
    }

    /// Average precision: Σ (recallₖ − recallₖ₋₁) · precisionₖ over distinct scores, highest
    /// first (no interpolation); nil without a positive row.
    static func averagePrecision(positive: [Bool], score: [Double]) -> Double? {
        guard score.allSatisfy({ !$0.isNaN }) else { return nil }
        let (fps, tps) = cumulativeCounts(positive: positive, score: score)
        guard let p = tps.last, p > 0 else { return nil }
        var sum = 0.0, previousRecall = 0.0
        for (f, t) in zip(fps, tps) {
            let recall = t / p
            sum += (recall - previousRecall) * (t / (t + f))
            previousRecall = recall
        }
        return max(0, sum)
    }

    /// A binary ranking figure for two classes (class 1's probability), or the unweighted mean
    /// of one-vs-rest figures for more; nil unless every class occurs in the truth (scikit-learn
    /// refuses that case) and the probabilities have one column per class.
    static func oneVsRest(_ input: MetricInput, _ figure: ([Bool], [Double]) -> Double?) -> Double? {
        guard let probabilities = input.probabilities, probabilities.rows == input.truth.count, probabilities.rows > 0 else { return nil }
        let k = probabilities.columns
        guard k >= 2 else { return nil }
        if k == 2 {
            return figure(input.truth.map { $0 == 1 }, probabilities.column(1))
        }
        var total = 0.0
        for c in 0..<k {
            guard let value = figure(input.truth.map { $0 == Double(c) }, probabilities.column(c)) else { return nil }
            total += value
        }
        return total / Double(k)
    }
}
