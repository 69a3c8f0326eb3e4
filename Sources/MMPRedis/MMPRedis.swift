// MMPRedis
