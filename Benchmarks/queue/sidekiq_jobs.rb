# Sidekiq anchor: a no-op job, one that records its pickup latency, and an enqueue driver.
require "sidekiq"

Sidekiq.configure_server { |c| c.redis = { url: ENV.fetch("BENCH_REDIS_URL") } }
Sidekiq.configure_client { |c| c.redis = { url: ENV.fetch("BENCH_REDIS_URL") } }

class NoopJob
  include Sidekiq::Worker
  sidekiq_options retry: false
  def perform; end
end

class LatencyJob
  include Sidekiq::Worker
  sidekiq_options retry: false
  def perform(enqueued_at)
    Sidekiq.redis { |r| r.rpush("bench:latency", Time.now.to_f - enqueued_at) }
  end
end

# ruby sidekiq_jobs.rb enqueue N      -> prints jobs/s
# ruby sidekiq_jobs.rb trickle N GAP  -> enqueues LatencyJob every GAP seconds
if $PROGRAM_NAME == __FILE__
  case ARGV[0]
  when "enqueue"
    n = Integer(ARGV[1])
    t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    n.times { NoopJob.perform_async }
    puts n / (Process.clock_gettime(Process::CLOCK_MONOTONIC) - t)
  when "trickle"
    n = Integer(ARGV[1]); gap = Float(ARGV[2])
    n.times do
      LatencyJob.perform_async(Time.now.to_f)
      t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      nil while Process.clock_gettime(Process::CLOCK_MONOTONIC) - t < gap
    end
  when "first"
    LatencyJob.perform_async(Float(ARGV[1]))
  end
end
