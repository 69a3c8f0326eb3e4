import MMPCore

/// Redis Sentinel: the sentinels (`REDIS_SENTINELS`) say which server is the master of
/// `REDIS_SENTINEL_MASTER`; the connection asks them at every connect, checks with `ROLE` that
/// the server it reached is a master, and drops the connection when a reply says the server was
/// demoted (READONLY...), so that the next command asks again and follows the failover.
extension RedisConnection {
    /// Asks the sentinels in turn for the master and opens an authenticated link to it.
    func openSentinelMaster() throws -> RedisLink {
        let name = settings.sentinelMaster ?? ""
        var problems: [String] = []
        for sentinel in settings.sentinels {
            let answer: SentinelAnswer
            do {
                answer = try askSentinel(sentinel, master: name)
            } catch {
                problems.append(MMPError.wrap(error).message)
                continue
            }
            switch answer {
            case .master(let endpoint):
                let link = try openLink(endpoint, label: "\(endpoint) (sentinel master '\(name)')")
                do {
                    if case .replica = try link.role() {
                        throw MMPError(.connection, "redis \(link.label): the sentinels name it the master but it is a replica (a failover in progress); try again")
                    }
                    try select(on: link)
                } catch {
                    link.close()
                    throw error
                }
                return link
            case .unknownMaster:
                problems.append("sentinel \(sentinel) monitors no master named '\(name)'")
            case .refused(let message):
                problems.append("sentinel \(sentinel): \(message)")
            }
        }
        throw MMPError(.connection, "redis \(settings.endpoint): no sentinel named the master: \(problems.joined(separator: "; ")) (check REDIS_SENTINELS and REDIS_SENTINEL_MASTER)")
    }

    private func askSentinel(_ sentinel: RedisEndpoint, master: String) throws -> SentinelAnswer {
        let link = RedisLink(endpoint: sentinel, label: "sentinel \(sentinel)", connectTimeout: min(settings.connectTimeout, 2),
                             commandTimeout: min(settings.commandTimeout, 2), sockets: sockets)
        defer { link.close() }
        try link.open()
        if let password = settings.sentinelPassword {
            if case .error(let e) = try link.send(RedisCommand("AUTH", password)) { return .refused("authentication failed: \(e)") }
        }
        return SentinelAnswer(try link.send(RedisCommand("SENTINEL", "get-master-addr-by-name", master)))
    }

    /// With sentinels, a reply saying that this server no longer takes writes as the master
    /// closes the connection: the next command asks the sentinels again. A demoted master keeps
    /// answering for seconds after a failover (until the sentinels reconfigure it), so waiting
    /// for the socket to drop would write where nothing is kept.
    func noteMasterChange(_ reply: RedisReply) {
        guard settings.usesSentinels, let message = reply.errorMessage, RedisConnection.meansNewMaster(message) else { return }
        close()
    }

    /// READONLY (a replica now), NOREPLICAS (a master that lost the replica it must write to, as
    /// the old master does at a failover with `min-replicas-to-write`), MASTERDOWN, UNBLOCKED (a
    /// blocked command cut off by a role change).
    static func meansNewMaster(_ message: String) -> Bool {
        ["READONLY", "NOREPLICAS", "MASTERDOWN", "UNBLOCKED"].contains { message.hasPrefix($0) }
    }
}

/// What a sentinel says to `SENTINEL get-master-addr-by-name`.
enum SentinelAnswer: Equatable {
    case master(RedisEndpoint)
    /// A null reply: the sentinel monitors no master by that name.
    case unknownMaster
    case refused(String)

    init(_ reply: RedisReply) {
        if let e = reply.errorMessage { self = .refused(e); return }
        guard let parts = reply.array, parts.count == 2, let host = parts[0].string, let port = parts[1].int else {
            self = .unknownMaster
            return
        }
        self = .master(RedisEndpoint(host: host, port: port))
    }
}

/// A server's replication role (`ROLE`).
enum ServerRole: Equatable {
    case master, replica, sentinel
    /// ROLE refused (an ACL user without it): the check is skipped.
    case unknown

    init(_ reply: RedisReply) {
        switch reply.array?.first?.string {
        case "master": self = .master
        case "slave", "replica": self = .replica
        case "sentinel": self = .sentinel
        default: self = .unknown
        }
    }
}

extension RedisLink {
    func role() throws -> ServerRole { ServerRole(try send(RedisCommand("ROLE"))) }

    /// `INFO cluster` says `cluster_enabled:1`. A server that refuses INFO (an ACL user without
    /// it) is taken for a standalone one.
    func isClusterNode() throws -> Bool {
        let reply = try send(RedisCommand("INFO", "cluster"))
        return RedisConnection.parseInfo(reply.string ?? "")["cluster_enabled"] == "1"
    }
}
