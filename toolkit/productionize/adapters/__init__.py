"""Thin I/O adapters around the pure core: files, processes, git, HTTP, the CLI, the server."""
