"""Reading inputs and writing shards: kept apart from the stages, which never touch files."""
