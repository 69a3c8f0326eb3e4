import MMPCore
import MMPRedis
import MMPTestSupport
import Yams

/// The shipped manifests (deploy/kubernetes/), read as Kubernetes and KEDA would read them.
struct KubernetesManifests {
    let deployment: Node
    let scaledObject: Node
    let triggerAuthentication: Node

    static var directory: String { "\(TestEnvironment.repoRoot)/deploy/kubernetes" }

    init() throws {
        var byKind: [String: Node] = [:]
        for file in ["worker-deployment.yaml", "keda-scaledobject.yaml"] {
            for document in try Yams.compose_all(yaml: try readFile("\(KubernetesManifests.directory)/\(file)")) {
                guard let kind = document["kind"]?.string else { throw MMPError.invalidData("\(file): a document without kind") }
                byKind[kind] = document
            }
        }
        guard let d = byKind["Deployment"], let s = byKind["ScaledObject"], let t = byKind["TriggerAuthentication"] else {
            throw MMPError.invalidData("deploy/kubernetes: expected a Deployment, a ScaledObject and a TriggerAuthentication")
        }
        deployment = d
        scaledObject = s
        triggerAuthentication = t
    }

    var podSpec: Node? { deployment["spec"]?["template"]?["spec"] }
    var container: Node? { podSpec?["containers"]?.array().first }
    var workerArguments: [String] { container?["args"]?.array().compactMap(\.string) ?? [] }
    var probeCommand: [String] { container?["livenessProbe"]?["exec"]?["command"]?.array().compactMap(\.string) ?? [] }

    /// The container's environment: plain values, and `secret/key` for values from a secret.
    var environment: [String: String] {
        var out: [String: String] = [:]
        for entry in container?["env"]?.array() ?? [] {
            guard let name = entry["name"]?.string else { continue }
            if let value = entry["value"]?.string {
                out[name] = value
            } else if let ref = entry["valueFrom"]?["secretKeyRef"], let secret = ref["name"]?.string, let key = ref["key"]?.string {
                out[name] = "secret:\(secret)/\(key)"
            }
        }
        return out
    }

    var triggers: [FakeKedaRedisScaler.Trigger] {
        (scaledObject["spec"]?["triggers"]?.array() ?? []).map { t in
            let m = t["metadata"]
            return FakeKedaRedisScaler.Trigger(type: t["type"]?.string ?? "", listName: m?["listName"]?.string ?? "",
                                               listLength: Int(m?["listLength"]?.string ?? "") ?? 5,
                                               activation: Int(m?["activationListLength"]?.string ?? "") ?? 0,
                                               hostFromEnv: m?["hostFromEnv"]?.string, portFromEnv: m?["portFromEnv"]?.string,
                                               authentication: t["authenticationRef"]?["name"]?.string)
        }
    }

    var scaler: FakeKedaRedisScaler {
        FakeKedaRedisScaler(triggers: triggers, minReplicas: scaledObject["spec"]?["minReplicaCount"]?.int ?? 0,
                            maxReplicas: scaledObject["spec"]?["maxReplicaCount"]?.int ?? 100)
    }
}

/// A fake of KEDA's `redis` scaler, since neither Kubernetes nor KEDA can run here: it reads each
/// trigger's key as KEDA does (its length by type: LLEN of a list, ZCARD of a sorted set, SCARD,
/// HLEN; a missing key counts 0), is active when any length is above its activation value, and
/// asks the replicas the HPA would (the largest `ceil(length / listLength)`, within the bounds).
struct FakeKedaRedisScaler {
    struct Trigger {
        var type: String
        var listName: String
        var listLength: Int
        var activation: Int
        var hostFromEnv: String?
        var portFromEnv: String?
        var authentication: String?
    }

    let triggers: [Trigger]
    let minReplicas: Int
    let maxReplicas: Int

    static func length(of key: String, in redis: RedisConnection) throws -> Int {
        let type = try redis.command("TYPE", key).string ?? "none"
        switch type {
        case "list": return try redis.command("LLEN", key).int ?? 0
        case "zset": return try redis.command("ZCARD", key).int ?? 0
        case "set": return try redis.command("SCARD", key).int ?? 0
        case "hash": return try redis.command("HLEN", key).int ?? 0
        case "none": return 0
        default: throw MMPError.invalidData("KEDA's redis scaler cannot count \(key), a \(type)")
        }
    }

    func isActive(_ redis: RedisConnection) throws -> Bool {
        try triggers.contains { try FakeKedaRedisScaler.length(of: $0.listName, in: redis) > $0.activation }
    }

    func replicas(_ redis: RedisConnection) throws -> Int {
        guard try isActive(redis) else { return minReplicas }
        let wanted = try triggers.map { t in
            let n = try FakeKedaRedisScaler.length(of: t.listName, in: redis)
            return (n + t.listLength - 1) / max(1, t.listLength)
        }.max() ?? 0
        return min(maxReplicas, max(1, minReplicas, wanted))
    }
}
