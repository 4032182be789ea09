"""The pure core: no file, process, network or terminal I/O happens below this package."""
