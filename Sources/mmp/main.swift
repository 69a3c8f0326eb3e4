print("mmp")
