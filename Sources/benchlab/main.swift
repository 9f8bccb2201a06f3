print("benchlab")
