# A Redis Cluster of three masters for the tests. Tests pick queue names (hash tags) of their
# own, so a test that migrates its slot moves nothing another test uses.
source scripts/lib/redis-ha.sh
mmp_log "starting a three-master Redis Cluster under $STATE/cluster"
mmp_start_redis_cluster "$STATE/cluster" "$STATE/pids" 3
export MMP_TEST_CLUSTER_NODES="$MMP_CLUSTER_NODES"
