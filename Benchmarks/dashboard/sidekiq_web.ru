# Sidekiq Web (Debian's ruby-sidekiq 6.4.1) on Rack, as its README mounts it.
require "securerandom"
require "rack/session/cookie"
require "sidekiq"
require "sidekiq/web"

Sidekiq.configure_client { |c| c.redis = { url: ENV.fetch("REDIS_URL") } }
use Rack::Session::Cookie, secret: SecureRandom.hex(32), same_site: true, max_age: 86_400
run Sidekiq::Web
