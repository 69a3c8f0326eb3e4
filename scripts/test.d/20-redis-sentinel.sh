# Redis Sentinel for the tests: two masters (`mmp-client` for the client's failover test,
# `mmp-fleet` for the fleet's), each with a replica, and three sentinels watching both, so the
# two tests can fail their master over at the same time without meeting.
source scripts/lib/redis-ha.sh
mmp_log "starting redis masters, replicas and three sentinels under $STATE/sentinel"
mmp_start_redis_sentinels "$STATE/sentinel" "$STATE/pids" mmp-client mmp-fleet
export MMP_TEST_SENTINELS="$MMP_HA_SENTINELS"
