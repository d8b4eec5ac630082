"""An OpenAI-compatible chat server for the services tests: stdlib only, listens on $PORT.

GET /slow?ms=N answers after N ms; GET /stats counts the requests answered so far (by path).
POST /v1/chat/completions answers JSON with `usage`, or with `"stream": true` Server-Sent Events:
one chunk per word of the reply, CHUNK_DELAY_MS apart (default 200), the usage chunk last when
`stream_options.include_usage` is set, then `data: [DONE]`. Each reply has REPLY_WORDS words
(default 5); usage counts 10 prompt tokens plus one per word.
"""
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELAY = int(os.environ.get("CHUNK_DELAY_MS", "200")) / 1000
WORDS = int(os.environ.get("REPLY_WORDS", "5"))
COUNTS = {}
COUNTS_LOCK = threading.Lock()


def count(path):
    with COUNTS_LOCK:
        COUNTS[path] = COUNTS.get(path, 0) + 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        print(f"{self.command} {self.path}", flush=True)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/stats":
            with COUNTS_LOCK:
                body = json.dumps({"requests": COUNTS}).encode()
        else:
            count(path)
            # /slow?ms=N: the headers come after N ms (the gateway's upstream timeout)
            ms = int(self.path.split("ms=")[1].split("&")[0]) if "ms=" in self.path else 0
            time.sleep(ms / 1000)
            body = json.dumps({"ok": True, "path": self.path, "port": self.server.server_port}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_POST(self):
        body = self.read_body()
        count(self.path.split("?")[0])
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = {}
        words = [f"word{i}" for i in range(WORDS)]
        usage = {"prompt_tokens": 10, "completion_tokens": WORDS, "total_tokens": 10 + WORDS}
        if not request.get("stream"):
            body = json.dumps({
                "id": "chatcmpl-1", "object": "chat.completion", "model": "tiny",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": " ".join(words)}}],
                "usage": usage,
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()

        def event(data):
            self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

        for word in words:
            event(json.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": word + " "}}]}))
            time.sleep(DELAY)
        if (request.get("stream_options") or {}).get("include_usage"):
            event(json.dumps({"object": "chat.completion.chunk", "choices": [], "usage": usage}))
        event("[DONE]")
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a caller that went away (the gateway's timeout, a killed test): nothing to report


print("listening", flush=True)
Server(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
