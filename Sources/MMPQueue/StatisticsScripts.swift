/// What the scripts that end jobs count for the dashboard and `/metrics` (issue 11), without
/// ever scanning jobs: totals per terminal state (`P:{Q}:stats`), a timeline of completions
/// (`P:{Q}:timeline`, `QueueTimeline`) and how long runs took per recipe (`P:{Q}:durations`,
/// `JobDurations`). Each script gathers what it ended in Lua tables and writes them once, at its
/// end (`flush_statistics`): a batch of 32 inline completions costs a handful of commands, not a
/// handful per job, so the drain benchmark keeps its speed. The three keys are declared by every
/// script that can end a job.
extension QueueScripts {
    static var statisticsFunctions: String {
        let bounds = JobDurations.boundsMillis.map(String.init).joined(separator: ", ")
        let rings = QueueTimeline.Range.allCases.map { "{'\($0.ring)', \($0.minutes), \($0.slots)}" }.joined(separator: ", ")
        return """
        -- Jobs ended by this call, by state, and runs timed, by recipe (flushed once at the end).
        local tallies = {}
        local observed = {}
        local function tally(state, n) tallies[state] = (tallies[state] or 0) + n end
        local duration_bounds = {\(bounds)}
        -- One run that reached a verdict: its duration (now - started_at) in the recipe's buckets.
        local function observe(recipe, started)
          local s = tonumber(started or '')
          if not s or s <= 0 then return end
          local ms = now - s
          if ms < 0 then ms = 0 end
          local bucket = 'inf'
          for i, bound in ipairs(duration_bounds) do
            if ms <= bound then bucket = tostring(i); break end
          end
          local r = recipe or ''
          local o = observed[r]
          if not o then o = {sum = 0, buckets = {}}; observed[r] = o end
          o.sum = o.sum + ms
          o.buckets[bucket] = (o.buckets[bucket] or 0) + 1
        end
        -- Rings {name, minutes per slot, slots}: slot `<name><i>` holds the period number it
        -- counts, `<name><i>:<state>` the count; a slot whose period has passed starts again at 0.
        local timeline_rings = {\(rings)}
        local function flush_statistics(stats, timeline, durations)
          local slots, periods, checked = {}, {}, false
          for state, n in pairs(tallies) do
            redis.call('HINCRBY', stats, state, n)
            if not checked then
              checked = true
              local minute = math.floor(now / 60000)
              for i, ring in ipairs(timeline_rings) do
                periods[i] = math.floor(minute / ring[2])
                slots[i] = ring[1] .. (periods[i] % ring[3])
              end
              local stamps = redis.call('HMGET', timeline, unpack(slots))
              for i = 1, #slots do
                if stamps[i] ~= tostring(periods[i]) then
                  redis.call('HDEL', timeline, slots[i] .. ':succeeded', slots[i] .. ':failed', slots[i] .. ':dead', slots[i] .. ':cancelled')
                  redis.call('HSET', timeline, slots[i], tostring(periods[i]))
                  redis.call('PEXPIRE', timeline, \(QueueTimeline.expiryMillis))
                end
              end
            end
            for i = 1, #slots do redis.call('HINCRBY', timeline, slots[i] .. ':' .. state, n) end
          end
          tallies = {}
          if durations then
            for recipe, o in pairs(observed) do
              for bucket, n in pairs(o.buckets) do redis.call('HINCRBY', durations, 'b' .. bucket .. ':' .. recipe, n) end
              redis.call('HINCRBY', durations, 'sum:' .. recipe, o.sum)
            end
          end
          observed = {}
        end

        """
    }
}
