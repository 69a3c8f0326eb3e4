import MMPRedis

/// Schedules (issue 12): each lives in its queue's slot, `P:{Q}:schedule:<name>` (a hash: the
/// definition, `paused`, and what the last fire did), with its next fire time in the queue's
/// `P:{Q}:schedule-due` (a sorted set; a paused schedule leaves it). Firing is a compare-and-set
/// on that score: the worker that finds the fire time still there creates the job and moves the
/// score to the next fire time in one script, so a fire time gives one job however many workers
/// look, and a worker killed anywhere leaves it either fired or due.
extension QueueScripts {
    /// KEYS: schedule, due, job, pending, events, wake
    /// ARGV: name, expected due ms, next due ms ('' for none), job id, late (0/1), events cap,
    ///       wake cap, field, value, ...
    /// Returns 'fired' | 'raced' (another worker fired it, or it was changed) | 'not_due' | 'paused'.
    static let fireSchedule = script("fire-schedule", """
    local due = redis.call('ZSCORE', KEYS[2], ARGV[1])
    if not due or tonumber(due) ~= tonumber(ARGV[2]) then return 'raced' end
    if tonumber(due) > now then return 'not_due' end
    if redis.call('HGET', KEYS[1], 'paused') == '1' then
      redis.call('ZREM', KEYS[2], ARGV[1])
      return 'paused'
    end
    local id = ARGV[4]
    if redis.call('EXISTS', KEYS[3]) == 1 then return redis.error_reply('ERR job id ' .. id .. ' already exists') end
    local fields = {'state', 'queued', 'created_at', now, 'updated_at', now, 'run_at', now, 'attempts', 0, 'deliveries', 0,
      'lost_deliveries', 0, 'releases', 0, 'progress', 0, 'schedule', ARGV[1], 'fire_time', ARGV[2], 'fired_late', ARGV[5]}
    for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
    redis.call('HSET', KEYS[3], unpack(fields))
    redis.call('LPUSH', KEYS[4], id)
    wake(KEYS[6], tonumber(ARGV[7]), id)
    event(KEYS[5], ARGV[6], id, 'submitted', 'queued', 'schedule', ARGV[1], 'fire_time', ARGV[2], 'late', ARGV[5])
    if ARGV[3] == '' then redis.call('ZREM', KEYS[2], ARGV[1]) else redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
    redis.call('HSET', KEYS[1], 'last_fire', ARGV[2], 'last_job', id, 'last_late', ARGV[5], 'last_fired_at', now)
    redis.call('HINCRBY', KEYS[1], 'fires', 1)
    return 'fired'
    """)

    static var scheduleScripts: [RedisScript] { [fireSchedule] }
}
