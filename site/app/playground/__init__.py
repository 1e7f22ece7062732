"""The playground: settings, one training run, and the Network and Output views of it, kept in step."""
