import Foundation
import MMPCore

/// HTTP authentication for the MLflow server, from the environment only:
/// `MLFLOW_TRACKING_TOKEN` (a bearer token) or `MLFLOW_TRACKING_USERNAME` with
/// `MLFLOW_TRACKING_PASSWORD` (basic auth), the variables MLflow's own clients read.
///
/// The values are kept out of every message: `description` names only the scheme.
public struct MLflowCredentials: Sendable, CustomStringConvertible {
    enum Scheme: Sendable { case none, basic(String), bearer(String) }
    let scheme: Scheme

    public static let none = MLflowCredentials(scheme: .none)

    public init(environment: ProcessEnvironment) {
        if let token = environment["MLFLOW_TRACKING_TOKEN"], !token.isEmpty {
            scheme = .bearer(token)
        } else if let user = environment["MLFLOW_TRACKING_USERNAME"], !user.isEmpty {
            let password = environment["MLFLOW_TRACKING_PASSWORD"] ?? ""
            scheme = .basic(Data("\(user):\(password)".utf8).base64EncodedString())
        } else {
            scheme = .none
        }
    }

    init(scheme: Scheme) { self.scheme = scheme }

    /// The `Authorization` header, when there is one.
    var header: (String, String)? {
        switch scheme {
        case .none: return nil
        case .basic(let encoded): return ("Authorization", "Basic \(encoded)")
        case .bearer(let token): return ("Authorization", "Bearer \(token)")
        }
    }

    public var description: String {
        switch scheme {
        case .none: return "no credentials"
        case .basic: return "basic auth from MLFLOW_TRACKING_USERNAME/PASSWORD"
        case .bearer: return "bearer token from MLFLOW_TRACKING_TOKEN"
        }
    }
}
