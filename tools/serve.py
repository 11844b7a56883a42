"""Serve a built site on 127.0.0.1 (loopback only) for a reader or the browser test.

    python tools/serve.py [_build/html] [--port 8000]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


def start_server(directory: Path, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start a background HTTP server for ``directory``; return it and its base URL."""
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise ValueError(f"directory: {directory} has no index.html (build the book first)")
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default="_build/html", type=Path)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    server, url = start_server(args.directory, args.port)
    print(f"Serving {args.directory} at {url} (Ctrl-C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
