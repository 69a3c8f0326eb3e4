import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MMPCore

/// One HTTP response: status and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Blocking HTTP requests over FoundationNetworking's URLSession (libcurl on Linux).
///
/// Why URLSession: Foundation is already linked (Yams), so it adds no package and no build time;
/// the tracking calls are a few dozen per training run, made from synchronous pipeline code.
/// Only `mmp` and its training child link this; the worker supervisor never does.
public final class HTTPClient: @unchecked Sendable {
    // URLSession is thread-safe; the class holds nothing mutable.
    private let session: URLSession
    private let challenges = ChallengeRefusal()
    public let timeout: Double

    public init(timeout: Double) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout * 4, timeout)
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: challenges, delegateQueue: nil)
        self.timeout = timeout
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Sends one request and waits for the whole response. Transport failures (refused, reset,
    /// timed out) throw `.connection`/`.timeout` errors whose messages name `display`, never the
    /// URL with its query or credentials.
    public func send(_ method: String, url: URL, headers: [String: String], body: [UInt8]?, display: String) throws -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = timeout
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            box.set(data: data, response: response as? HTTPURLResponse, error: error)
            done.signal()
        }
        task.resume()
        done.wait()
        let (data, response, error) = box.get()
        if let status = challenges.take(task.taskIdentifier) {
            // A 401/407 with a challenge: its response was not delivered (see ChallengeRefusal).
            return HTTPResponse(status: status, body: Array("{\"error_code\": \"UNAUTHENTICATED\", \"message\": \"the server refused the credentials (or their absence)\"}".utf8))
        }
        if let error {
            let ns = error as NSError
            if ns.domain == NSURLErrorDomain, ns.code == NSURLErrorTimedOut {
                throw MMPError(.timeout, "\(display) did not answer within \(JSON.format(timeout))s")
            }
            throw MMPError(.connection, "cannot reach \(display): \(HTTPClient.describe(ns))")
        }
        guard let response else { throw MMPError(.connection, "\(display) sent no HTTP response") }
        return HTTPResponse(status: response.statusCode, body: data.map { [UInt8]($0) } ?? [])
    }

    /// A transport error in a few words (curl's texts name the host and port, never credentials).
    static func describe(_ error: NSError) -> String {
        switch error.code {
        case NSURLErrorCannotConnectToHost: return "connection refused"
        case NSURLErrorNetworkConnectionLost: return "connection lost"
        case NSURLErrorCannotFindHost: return "host not found"
        case NSURLErrorNotConnectedToInternet: return "network unreachable"
        default: return error.localizedDescription
        }
    }
}

/// Answers every authentication challenge (a 401 or 407 with `WWW-Authenticate`) by cancelling it,
/// remembering the status. Credentials go in the `Authorization` header of every request; a
/// challenge means the server refused them. Without this delegate, FoundationNetworking in Swift
/// 6.3.1 waits forever on a challenge it has no stored credential for
/// (swift-corelibs-foundation issue 5456).
private final class ChallengeRefusal: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    // `refused` is guarded by the lock.
    private let lock = NSLock()
    private var refused: [Int: Int] = [:]

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        let status = (challenge.failureResponse as? HTTPURLResponse)?.statusCode ?? 401
        lock.lock(); refused[task.taskIdentifier] = status; lock.unlock()
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    func take(_ id: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        return refused.removeValue(forKey: id)
    }
}

/// Carries the completion handler's results to the waiting thread.
private final class ResponseBox: @unchecked Sendable {
    // Written once by URLSession's delegate queue before the semaphore is signalled, read after.
    private let lock = NSLock()
    private var data: Data?
    private var response: HTTPURLResponse?
    private var error: (any Error)?

    func set(data: Data?, response: HTTPURLResponse?, error: (any Error)?) {
        lock.lock(); defer { lock.unlock() }
        self.data = data; self.response = response; self.error = error
    }

    func get() -> (Data?, HTTPURLResponse?, (any Error)?) {
        lock.lock(); defer { lock.unlock() }
        return (data, response, error)
    }
}
