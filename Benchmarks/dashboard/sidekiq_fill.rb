# Fills Redis (REDIS_URL) for Sidekiq Web the way the mmp side is filled: JOBS jobs, one in ten
# dead (in the dead set, as Sidekiq keeps them), the rest enqueued (Sidekiq keeps no record of
# a succeeded job), and the processed/failed counters its dashboard shows.
require "json"
require "securerandom"
require "sidekiq"
require "sidekiq/api"

Sidekiq.configure_client { |c| c.redis = { url: ENV.fetch("REDIS_URL") } }
jobs = Integer(ENV.fetch("JOBS", "200000"))
dead = jobs / 10
(jobs - dead).times.each_slice(1000) do |slice|
  Sidekiq::Client.push_bulk("class" => "NoopJob", "queue" => "default", "args" => slice.map { |i| [i] })
end
now = Time.now.to_f
dead.times.each_slice(1000) do |slice|
  Sidekiq.redis do |r|
    r.zadd("dead", slice.map { |i|
      payload = { "class" => "DiagnosticJob", "args" => [i], "queue" => "default", "jid" => SecureRandom.hex(12),
                  "created_at" => now - 60, "enqueued_at" => now - 60, "failed_at" => now - 30,
                  "error_class" => "RuntimeError", "error_message" => "benchmark failure", "retry_count" => 0 }
      [now - i * 0.001, JSON.generate(payload)]
    })
  end
end
Sidekiq.redis { |r| r.set("stat:processed", jobs); r.set("stat:failed", dead) }
warn "sidekiq: #{Sidekiq::Queue.new("default").size} enqueued, #{Sidekiq::DeadSet.new.size} dead"
