import Glibc
import MMPCore
import MMPLearn

func fmt(_ v: Double, _ p: Int) -> String { let m = pow(10.0, Double(p)); return "\((v * m).rounded() / m)" }
func now() -> Double { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }

// usage: LinearBench file.bin rows cols threads model [key=value...]
let args = CommandLine.arguments
let path = args[1], n = Int(args[2])!, d = Int(args[3])!, threads = Int(args[4])!, name = args[5]
var given = JSONObject()
for kv in args.dropFirst(6) { let p = kv.split(separator: "="); given[String(p[0])] = JSON.inferred(from: String(p[1])) }
let f = fopen(path, "rb")!
var x = [Double](repeating: 0, count: n * d)
var y = [Double](repeating: 0, count: n)
_ = x.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
_ = y.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
fclose(f)
let descriptor = try ModelCatalog.require(name)
let classification = descriptor.task == .classification
let nTrain = n * 4 / 5
let classCount = classification ? Int(y.max()!) + 1 : 0
let train = TrainingSet(features: Matrix(rows: nTrain, columns: d, values: Array(x[0..<nTrain * d])), target: Array(y[0..<nTrain]),
                        classCount: classCount, featureNames: (0..<d).map { "f\($0)" })
let test = Matrix(rows: n - nTrain, columns: d, values: Array(x[nTrain * d..<n * d]))
let (hp, problems) = descriptor.resolve(given)
precondition(problems.isEmpty, "\(problems)")
let t0 = now()
let model = try descriptor.make(hp).fit(train, context: FitContext(threads: threads))
let t1 = now()
let predicted = model.predict(test)
let proba = model.predictProbabilities(test)
let t2 = now()
let metric = classification ? (classCount == 2 ? "roc_auc" : "accuracy") : "r2"
let score = MetricCatalog.lookup(metric, task: descriptor.task)!.compute(MetricInput(truth: Array(y[nTrain...]), predicted: predicted, probabilities: proba, classCount: classCount))!
print("mmp      \(name) n=\(n) threads=\(threads) fit \(fmt(t1 - t0, 3)) s  predict \(fmt(t2 - t1, 3)) s  \(metric) \(fmt(score, 5))  \(model.summary.map { "\($0.key)=\($0.value.plainText)" }.joined(separator: " "))")
