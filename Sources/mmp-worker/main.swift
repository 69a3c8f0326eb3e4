print("mmp-worker")
